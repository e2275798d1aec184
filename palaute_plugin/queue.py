"""Handing tasks to django-q2 once the transaction that caused them has committed.

Actions open their transaction with :func:`atomic`: the tasks queued inside it
(emails, photo cleaning) go to the broker together after the commit, which with
the ORM broker costs one commit instead of one per task. Outside such a block
each task is handed over after the current transaction commits (at once in
autocommit). A task whose hand-over fails is picked up by its retry schedule.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

_current_batch = ContextVar("palaute_task_batch", default=None)


def _enqueue(func_path, argument, task_name):
    """Hand a task to django-q; if the broker is down, its retry schedule runs it."""
    try:
        async_task(func_path, argument, task_name=task_name)
    except Exception:
        logger.exception("Could not enqueue %s; its retry schedule will run it.", task_name)


class TaskBatch:
    """The tasks one transaction causes, handed to the broker together after it commits."""

    def __init__(self):
        self.tasks = []

    def flush(self):
        tasks, self.tasks = self.tasks, []
        try:
            with transaction.atomic():
                for task in tasks:
                    # A savepoint each: on PostgreSQL one failed insert would otherwise
                    # abort the transaction and lose the rest of the batch.
                    with transaction.atomic():
                        _enqueue(*task)
        except Exception:  # the batch's own transaction failed: the schedules retry
            logger.exception("Could not enqueue %s tasks; the schedules will run them.",
                             len(tasks))


@contextmanager
def atomic():
    """``transaction.atomic()`` whose tasks are handed to the broker together after commit.

    If the block (or an outer transaction) rolls back, none of its tasks is enqueued.
    """
    outer = _current_batch.get()
    with transaction.atomic():
        batch = TaskBatch()
        token = _current_batch.set(batch)
        try:
            yield
        finally:
            _current_batch.reset(token)
        # Reached only if the block did not raise: a rolled-back block queues nothing.
        if outer is not None:
            outer.tasks.extend(batch.tasks)
        elif batch.tasks:
            transaction.on_commit(batch.flush)


def enqueue_after_commit(func_path, argument, task_name):
    """Run ``func_path(argument)`` as a django-q task once the current transaction commits."""
    batch = _current_batch.get()
    if batch is not None:
        batch.tasks.append((func_path, argument, task_name))
    else:
        transaction.on_commit(lambda: _enqueue(func_path, argument, task_name))
