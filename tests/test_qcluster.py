"""A real ``manage.py qcluster`` delivers a notification committed by this process.

The cluster runs on this test's database (test settings read
``PALAUTE_TEST_DB_NAME``) and broker (the ORM, or Redis when ``REDIS_URL`` is
set), and writes emails to files (``PALAUTE_TEST_EMAIL_DIR``). Another process
cannot open the suite's in-memory SQLite database, so this test works on a file
copy of it (``file_database``).
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.utils import load_backend
from django_q.brokers import get_broker
from django_q.conf import Conf

from palaute_plugin.models import Notification
from palaute_plugin.notifications import feedback_context, queue_email

from .factories import FeedbackFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DELIVERY_TIMEOUT_SECONDS = 40
STOP_TIMEOUT_SECONDS = 20


@pytest.fixture
def file_database(transactional_db, tmp_path):
    """The test database's name, as a file when it is SQLite in memory.

    The migrated in-memory database is copied to a file (SQLite's backup API) and
    this process's ``default`` connection points there until the test ends; the
    in-memory database is left as it was. PostgreSQL, or SQLite under
    ``--reuse-db``, is used as it is.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield connection.settings_dict["NAME"]
        return
    path = tmp_path / "test-db.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    in_memory = connections[DEFAULT_DB_ALIAS]
    file_settings = {**in_memory.settings_dict, "NAME": str(path)}
    on_file = load_backend(file_settings["ENGINE"]).DatabaseWrapper(file_settings,
                                                                    DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = on_file
    try:
        yield str(path)
    finally:
        on_file.close()
        connections[DEFAULT_DB_ALIAS] = in_memory


def start_qcluster(tmp_path, mail_dir, database_name):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "PALAUTE_Q_SYNC": "0",
        "PALAUTE_TEST_DB_NAME": str(database_name),
        "PALAUTE_Q_NAME": settings.Q_CLUSTER["name"],
        "PALAUTE_TEST_EMAIL_DIR": str(mail_dir),
        "Q_WORKERS": "1",
    }
    log = (tmp_path / "qcluster.log").open("wb")
    try:
        # Its own session, so the cluster and its worker processes can be
        # stopped together whatever happens.
        return subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"], cwd=settings.BASE_DIR, env=env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    finally:
        log.close()


def stop_qcluster(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # any worker left behind
    except ProcessLookupError:
        pass
    process.wait(timeout=STOP_TIMEOUT_SECONDS)


def wait_for_delivery(notification, mail_dir, process, log_path):
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        files = sorted(mail_dir.iterdir())
        if notification.state == Notification.State.SENT and files:
            return files
        if process.poll() is not None:
            break
        time.sleep(0.5)
    log = log_path.read_text(errors="replace")[-4000:]
    pytest.fail(f"not delivered (state {notification.state!r}); qcluster said:\n{log}")


def test_a_real_qcluster_delivers_a_committed_notification(file_database, tmp_path,
                                                          monkeypatch):
    # This process enqueues for real; only the cluster runs the task.
    monkeypatch.setattr(Conf, "SYNC", False)
    expected_broker = "Redis" if os.environ.get("REDIS_URL") else "ORM"
    assert type(get_broker()).__name__ == expected_broker
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    process = start_qcluster(tmp_path, mail_dir, file_database)
    try:
        feedback = FeedbackFactory()
        with transaction.atomic():
            notification = queue_email(
                "receipt", "asukas@example.com", language="en",
                context=feedback_context(feedback), feedback=feedback, to_resident=True,
            )

        files = wait_for_delivery(notification, mail_dir, process, tmp_path / "qcluster.log")

        assert notification.attempts == 1
        assert len(files) == 1
        email = files[0].read_text()
        assert f"X-Palaute-Notification: {notification.pk}" in email
        assert f"Subject: Your feedback was received ({feedback.reference})" in email
        assert "To: asukas@example.com" in email
    finally:
        stop_qcluster(process)
    assert process.returncode is not None
