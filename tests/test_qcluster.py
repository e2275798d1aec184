"""A real ``manage.py qcluster`` delivers a notification committed by this process.

The cluster runs on this test's database (test settings read
``PALAUTE_TEST_DB_NAME``) and broker (the ORM, or Redis when ``REDIS_URL`` is
set), and writes emails to files (``PALAUTE_TEST_EMAIL_DIR``).
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_q.brokers import get_broker
from django_q.conf import Conf

from palaute_plugin.models import Notification
from palaute_plugin.notifications import feedback_context, queue_email

from .factories import FeedbackFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DELIVERY_TIMEOUT_SECONDS = 40
STOP_TIMEOUT_SECONDS = 20


def start_qcluster(tmp_path, mail_dir):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "PALAUTE_Q_SYNC": "0",
        "PALAUTE_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
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


def test_a_real_qcluster_delivers_a_committed_notification(tmp_path, monkeypatch):
    # This process enqueues for real; only the cluster runs the task.
    monkeypatch.setattr(Conf, "SYNC", False)
    expected_broker = "Redis" if os.environ.get("REDIS_URL") else "ORM"
    assert type(get_broker()).__name__ == expected_broker
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    process = start_qcluster(tmp_path, mail_dir)
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
