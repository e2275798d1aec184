"""Production smoke run: the production settings behind a (simulated) proxy, for real.

Starts gunicorn with 2 workers and 2 ``qcluster`` processes on PostgreSQL with Redis
as broker and cache, and a local SMTP server (aiosmtpd) that collects what the
workers send (see ``prodstack.py``). Then: a resident submits the form over HTTP
(X-Forwarded-Proto/-For as the city's nginx sends them), a handler resolves the
case, and the emails must arrive exactly once each. Needs DATABASE_URL (PostgreSQL;
a database of its own is created and dropped) and REDIS_URL.
Run: ``.venv/bin/python scripts/production_smoke.py``.
"""

import os
import secrets
import sys
import tempfile
import time
from email.header import decode_header, make_header

from prodstack import (
    Database,
    SmtpSink,
    Stack,
    django_shell,
    environment,
    form_errors,
    submission,
    wait_for,
)

MARKER = f"savutesti-{secrets.token_hex(4)}"
MESSAGE = f"Katuvalo ei pala Hallituskadun kulmassa ({MARKER})."


def main():
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("production_smoke: set DATABASE_URL (PostgreSQL) and REDIS_URL")
    database = Database(base_url, f"smoke_{os.getpid()}")
    smtp = SmtpSink()
    smtp.start()
    with tempfile.TemporaryDirectory() as photos:
        stack = Stack(environment(smtp.port, database.url, photos, os.environ["REDIS_URL"]))
        database.create()
        try:
            stack.prepare()
            stack.start_web()
            for _ in range(2):
                stack.start_cluster()
            run_scenario(stack, smtp.collector)
        finally:
            stack.stop()
            smtp.stop()
            database.drop()
    print("production smoke: OK")


def run_scenario(stack, collector):
    resident = stack.client("81.22.33.44")
    status, _headers, html = resident.request("/palaute/")
    assert status == 200, status
    time.sleep(3.2)  # the form's minimum fill time
    status, headers, answer = resident.request(
        "/palaute/", submission(html, MESSAGE, "asukas@example.com"))
    assert status == 302, f"the submission was not accepted ({status}): {form_errors(answer)}"
    assert headers["Location"].startswith("/palaute/receipt/")

    reference = django_shell(
        stack.env,
        "from palaute_plugin import actions; from palaute_plugin.models import Feedback;"
        "from django.contrib.auth import get_user_model;"
        f"case = Feedback.objects.get(message__contains='{MARKER}');"
        "user = get_user_model().objects.get(username='admin');"
        "actions.resolve(case, user=user, message='Lamppu vaihdettiin tänään.');"
        "print(case.reference)")

    wait_for(lambda: len(collector.to("asukas@example.com")) >= 2, 90,
             "the receipt and the answer")
    time.sleep(5)  # anything sent twice would arrive by now
    subjects = sorted(m["Subject"] for m in collector.to("asukas@example.com"))
    assert len(subjects) == 2, subjects
    assert all(reference in subject for subject in subjects), subjects
    assert not collector.duplicate_ids(), "an email was sent twice"
    staff = [m for rcpt, m in collector.snapshot() if "asukas@example.com" not in rcpt]
    assert staff, "the handlers were not told of the new feedback"

    # Wagtail's own workflow email, through the outbox (EMAIL_BACKEND) to SMTP.
    django_shell(
        stack.env,
        "from palaute_plugin.publication.actions import propose;"
        "from palaute_plugin.models import Feedback;"
        "from django.contrib.auth import get_user_model;"
        f"case = Feedback.objects.get(message__contains='{MARKER}');"
        "propose(case, user=get_user_model().objects.get(username='liikenne'))")

    def to_moderator():
        return [m for m in collector.to("moderaattori@tornio.example")
                if MARKER in str(make_header(decode_header(m["Subject"])))]

    wait_for(to_moderator, 90, "Wagtail's notification to the moderator")
    time.sleep(3)
    (review,) = to_moderator()
    assert review["X-Palaute-Notification"], "not sent through the outbox"
    assert not collector.duplicate_ids(), "an email was sent twice"
    print(f"production smoke: {reference} submitted, resolved and proposed for publication; "
          f"{len(collector.snapshot())} emails, each once")


if __name__ == "__main__":
    main()
