"""Emails written by code we do not own go through the outbox (``palaute_plugin.mail``).

Wagtail sends its workflow notifications ("… is awaiting your review", "changes requested")
and Django its password resets synchronously: while the mail server was down they were lost
(noticed 2026-12-03). With ``QueuedEmailBackend`` each becomes a ``Notification`` row,
delivered and retried like the app's own emails.
"""

import smtplib

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from palaute_plugin import tasks
from palaute_plugin.mail import EXTERNAL
from palaute_plugin.models import Notification

from .publication_fixtures import proposed

pytestmark = pytest.mark.django_db

QUEUED = override_settings(
    EMAIL_BACKEND="palaute_plugin.mail.QueuedEmailBackend",
    PALAUTE_EMAIL_DELIVERY_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)


class DownBackend(BaseEmailBackend):
    """A mail server that does not answer."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def send_html_email():
    message = EmailMultiAlternatives(
        "Review\nrequested", "Text body", "Wagtail <wagtail@example.fi>",
        ["moderator@example.fi"], cc=["copy@example.fi"])
    message.attach_alternative("<p>HTML body</p>", "text/html")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert message.send() == 1


@QUEUED
def test_an_email_becomes_a_row_per_recipient_and_is_delivered_with_its_sender():
    send_html_email()

    rows = Notification.objects.order_by("recipient")
    assert [(n.recipient, n.template, n.state) for n in rows] == [
        ("copy@example.fi", EXTERNAL, Notification.State.SENT),
        ("moderator@example.fi", EXTERNAL, Notification.State.SENT)]
    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(sent) == ["copy@example.fi", "moderator@example.fi"]
    message = sent["moderator@example.fi"]
    assert message.from_email == "Wagtail <wagtail@example.fi>"
    assert message.subject == "Review requested"
    assert message.body == "Text body"
    assert message.alternatives[0][0] == "<p>HTML body</p>"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


@QUEUED
def test_a_sent_external_email_keeps_no_text():
    send_html_email()
    assert list(Notification.objects.values_list("subject", "body_text", "body_html")) == [
        ("Review requested", "", ""), ("Review requested", "", "")]


@QUEUED
def test_an_email_while_the_mail_server_is_down_is_kept_and_retried():
    with override_settings(PALAUTE_EMAIL_DELIVERY_BACKEND=f"{__name__}.DownBackend"):
        send_html_email()
    assert mail.outbox == []
    rows = Notification.objects.all()
    assert {(n.state, n.attempts) for n in rows} == {(Notification.State.PENDING, 1)}
    assert "SMTPServerDisconnected" in rows[0].last_error
    assert rows[0].body_text == "Text body"

    rows.update(next_attempt_at=timezone.now())
    assert tasks.retry_pending_notifications() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["copy@example.fi", "moderator@example.fi"]
    assert mail.outbox[0].body == "Text body"


@QUEUED
def test_an_email_of_a_change_rolled_back_is_not_sent():
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        EmailMessage("Subject", "Body", to=["a@example.fi"]).send()
        transaction.set_rollback(True)
    assert Notification.objects.count() == 0
    assert mail.outbox == []


@QUEUED
def test_an_email_with_an_attachment_goes_out_at_once():
    message = EmailMessage("Report", "Attached", to=["a@example.fi"])
    message.attach("report.csv", "a,b\n", "text/csv")
    message.send()
    assert Notification.objects.count() == 0
    assert [m.attachments[0][0] for m in mail.outbox] == ["report.csv"]


@QUEUED
def test_wagtails_workflow_notification_goes_through_the_outbox(workflow, handler, moderator,
                                                                 personal_case):
    publication = proposed(personal_case, handler)
    row = Notification.objects.get(template=EXTERNAL, recipient=moderator.email)
    assert publication.title in row.subject
    assert row.state == Notification.State.SENT
    assert [m.to for m in mail.outbox if publication.title in m.subject] == [[moderator.email]]


@QUEUED
def test_wagtails_workflow_notification_waits_for_the_mail_server(workflow, handler, moderator,
                                                                  personal_case):
    with override_settings(PALAUTE_EMAIL_DELIVERY_BACKEND=f"{__name__}.DownBackend"):
        publication = proposed(personal_case, handler)
    row = Notification.objects.get(template=EXTERNAL, recipient=moderator.email)
    assert row.state == Notification.State.PENDING
    Notification.objects.update(next_attempt_at=timezone.now())
    tasks.retry_pending_notifications()
    assert [m.to for m in mail.outbox if publication.title in m.subject] == [[moderator.email]]


def error_ids():
    return [message.id for message in run_checks() if message.id == "palaute_plugin.E020"]


@override_settings(EMAIL_BACKEND="palaute_plugin.mail.QueuedEmailBackend")
def test_the_check_refuses_an_outbox_that_nothing_sends():
    assert error_ids() == ["palaute_plugin.E020"]


@override_settings(PALAUTE_EMAIL_DELIVERY_BACKEND="palaute_plugin.mail.QueuedEmailBackend")
def test_the_check_refuses_the_outbox_as_its_own_delivery():
    assert error_ids() == ["palaute_plugin.E020"]


@QUEUED
def test_the_check_accepts_the_outbox_with_a_delivery_backend():
    assert error_ids() == []
