"""Handing tasks to django-q2 once the transaction that caused them has committed.

Actions open their transaction with :func:`atomic`: the tasks queued inside it
(emails, photo cleaning) go to the broker together after the commit, which with
the ORM broker costs one commit instead of one per task. Outside such a block
each task is handed over after the current transaction commits (at once in
autocommit). A task whose hand-over fails is picked up by its retry schedule.
"""

import logging
import os
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

_current_batch = ContextVar("palaute_task_batch", default=None)
_brokers = {}


def _broker():
    """The process's broker: django-q makes a new one (with a new Redis connection pool,
    so a new connection) for each task unless it is given one."""
    pid = os.getpid()
    broker = _brokers.get(pid)
    if broker is None:
        _brokers.clear()  # a forked process's parent's
        broker = _brokers[pid] = get_broker()
    return broker


def _enqueue(func_path, argument, task_name):
    """Hand a task to django-q; if the broker is down, its retry schedule runs it."""
    try:
        async_task(func_path, argument, task_name=task_name, broker=_broker())
    except Exception:
        logger.exception("Could not enqueue %s; its retry schedule will run it.", task_name)


class TaskBatch:
    """The tasks one transaction causes, handed to the broker together after it commits."""

    def __init__(self):
        self.tasks = []

    def flush(self):
        tasks, self.tasks = self.tasks, []
        if not Conf.ORM:  # Redis: each task is one command; no database work to batch
            for task in tasks:
                _enqueue(*task)
            return
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
