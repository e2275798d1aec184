"""Notifications: written with the change, sent after commit, retried, never sent twice."""

import re
import smtplib
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from wagtail.users.models import UserProfile

from palaute_plugin import queue, tasks
from palaute_plugin.models import Notification
from palaute_plugin.notifications import (
    admin_feedback_url,
    feedback_context,
    notify_feedback_received,
    notify_resident,
    queue_email,
    resident_status_url,
)
from palaute_plugin.staff.viewsets import feedback_viewset
from palaute_plugin.tasks import deliver_notification, retry_pending_notifications

from .factories import (
    CategoryFactory,
    FeedbackFactory,
    GroupFactory,
    OtherAuthorityFactory,
    UserFactory,
    feedback_page,
)

pytestmark = pytest.mark.django_db

@pytest.fixture
def smtp_down(monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPException("421 Service not available")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    return monkeypatch


def queue_receipt(feedback=None, **kwargs):
    feedback = feedback or FeedbackFactory()
    return queue_email(
        "receipt", kwargs.pop("recipient", "asukas@example.com"),
        language=kwargs.pop("language", "fi"), context=feedback_context(feedback),
        feedback=feedback, to_resident=True, **kwargs,
    )


def make_due(notification):
    Notification.objects.filter(pk=notification.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


# queue_email and the transaction


def test_row_is_written_in_the_transaction_and_sent_after_commit(
    django_capture_on_commit_callbacks,
):
    # Made before: a category's save has a commit callback of its own (the form's topics).
    feedback = FeedbackFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notification = queue_receipt(feedback)
            assert Notification.objects.filter(pk=notification.pk, state="pending").exists()
            assert mail.outbox == []

    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asukas@example.com"]
    assert message.subject == notification.subject
    assert message.body == notification.body_text
    assert message.alternatives[0] == (notification.body_html, "text/html")
    assert message.extra_headers["X-Palaute-Notification"] == str(notification.pk)
    assert f"palaute-notification-{notification.pk}." in message.extra_headers["Message-ID"]


@pytest.mark.parametrize("language, sender", [
    ("fi", "Tornion kaupunki <palaute@tornio.fi>"), ("sv", "Torneå stad <palaute@tornio.fi>"),
    ("en", "City of Tornio <palaute@tornio.fi>")])
def test_the_sender_is_named_in_the_emails_language(language, sender, settings,
                                                   django_capture_on_commit_callbacks):
    """A Swedish or English email came from "Tornion kaupunki"."""
    settings.DEFAULT_FROM_EMAIL = "Tornion kaupunki <palaute@tornio.fi>"
    settings.PALAUTE_FROM_NAMES = {"fi": "Tornion kaupunki", "sv": "Torneå stad",
                                   "en": "City of Tornio"}
    feedback = FeedbackFactory(language=language)
    with django_capture_on_commit_callbacks(execute=True):
        queue_receipt(feedback, language=language)
    assert mail.outbox[0].from_email == sender
    assert mail.outbox[0].message()["From"]  # Django encodes the name for the header


def test_without_names_the_sender_is_default_from_email(settings):
    settings.DEFAULT_FROM_EMAIL = "Palaute <palaute@example.fi>"
    settings.PALAUTE_FROM_NAMES = {"sv": "Torneå stad"}
    assert tasks.sender("fi") == "Palaute <palaute@example.fi>"
    assert tasks.sender("sv") == "Torneå stad <palaute@example.fi>"


def test_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    feedback = FeedbackFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_receipt(feedback)
            raise RuntimeError("the change failed")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_subject_is_one_line():
    feedback = FeedbackFactory()
    notification = queue_receipt(feedback, language="en")
    assert "\n" not in notification.subject
    assert notification.subject == f"Your feedback was received ({feedback.reference})"


# notify_feedback_received


def test_feedback_received_notifies_resident_and_staff_once_each(
    django_capture_on_commit_callbacks,
):
    group = GroupFactory()
    swedish_handler = UserFactory(email="handler@tornio.example")
    profile = UserProfile.get_for_user(swedish_handler)
    profile.preferred_language = "sv"
    profile.save()
    finnish_handler = UserFactory(email="Tekninen@Tornio.example")
    inactive = UserFactory(email="gone@tornio.example", is_active=False)
    no_email = UserFactory(email="")
    group.user_set.add(swedish_handler, finnish_handler, inactive, no_email)
    category = CategoryFactory(
        handler_group=group,
        notification_emails="tekninen@tornio.example\nkirjaamo@tornio.example\n"
                            "KIRJAAMO@tornio.example\n",
    )
    feedback = FeedbackFactory(
        category=category, assignee=swedish_handler, language="sv",
        contact_email="invanare@example.com",
    )

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            sent = notify_feedback_received(feedback)

    by_recipient = {n.recipient.lower(): n for n in sent}
    assert len(sent) == len(by_recipient) == 4
    assert by_recipient.keys() == {
        "invanare@example.com", "handler@tornio.example", "tekninen@tornio.example",
        "kirjaamo@tornio.example",
    }
    receipt = by_recipient["invanare@example.com"]
    assert (receipt.template, receipt.to_resident, receipt.language) == ("receipt", True, "sv")
    assert feedback.reference in receipt.subject
    assert category.name_sv in receipt.body_text  # the category in the resident's language
    assert category.name_fi not in receipt.body_text
    assert '<html lang="sv">' in receipt.body_html
    assert by_recipient["handler@tornio.example"].language == "sv"
    assert by_recipient["tekninen@tornio.example"].language == "fi"
    assert by_recipient["kirjaamo@tornio.example"].language == "fi"
    admin_link = admin_feedback_url(feedback)
    for notification in sent:
        if notification.template == "new_feedback":
            assert not notification.to_resident
            assert admin_link in notification.body_text
            assert f'href="{admin_link}"' in notification.body_html
        assert notification.feedback == feedback
    assert len(mail.outbox) == 4
    assert Notification.objects.filter(state="sent").count() == 4


def test_no_resident_email_without_an_address():
    feedback = FeedbackFactory(contact_email="", category__notification_emails="a@tornio.example")
    sent = notify_feedback_received(feedback)
    assert [(n.template, n.recipient) for n in sent] == [("new_feedback", "a@tornio.example")]


def english_handler(**kwargs):
    user = UserFactory(**kwargs)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"  # English msgids need no .po files
    profile.save()
    return user


def test_staff_email_has_what_handlers_need():
    handler = english_handler()
    feedback = FeedbackFactory(
        category__handler_group=None, assignee=handler, kind="question", channel="phone",
        address="Hallituskatu 5", latitude=65.8481234, longitude=24.1466789,
        contact_name="Maija Meikäläinen", contact_phone="040 123 4567",
    )
    [_, staff] = notify_feedback_received(feedback)
    assert (staff.recipient, staff.language) == (handler.email, "en")
    due = timezone.localtime(feedback.due_at)
    for body in (staff.body_text, staff.body_html):
        assert feedback.reference in body
        assert "Question" in body
        assert "Phone" in body
        assert "Hallituskatu 5" in body
        assert "65.84812, 24.14668" in body
        assert "Maija Meikäläinen" in body
        assert "asukas@example.com" in body
        assert "040 123 4567" in body
        assert feedback.message in body
        assert f"{due.month:02d}/{due.day:02d}/{due.year}" in body
    assert "Photos: 0" in staff.body_text
    assert staff.subject == f"New feedback {feedback.reference}: {feedback.category.name_en}"


def test_resident_text_is_escaped_in_html_and_literal_in_text():
    feedback = FeedbackFactory(
        message="<script>alert(1)</script> & more",
        category__notification_emails="a@tornio.example",
        address="<b>Kauppakatu</b>",
    )
    for notification in notify_feedback_received(feedback):
        assert "<script>" not in notification.body_html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in notification.body_html
        assert "<script>alert(1)</script> & more" in notification.body_text
        assert "&lt;" not in notification.body_text
    assert "&lt;b&gt;Kauppakatu&lt;/b&gt;" in notification.body_html
    assert "<b>Kauppakatu</b>" in notification.body_text


def test_receipt_links_to_the_private_status_page():
    page = feedback_page()
    feedback = FeedbackFactory(page=page)
    notification = queue_receipt(feedback)
    url = resident_status_url(feedback)
    assert url == page.status_url(feedback)
    assert feedback.tracking_token in url
    assert url in notification.body_text
    assert f'href="{url}"' in notification.body_html


def test_no_status_link_without_a_page():
    feedback = FeedbackFactory(page=None)
    assert resident_status_url(feedback) == ""
    assert "http" not in queue_receipt(feedback).body_text


def test_admin_feedback_url_opens_the_case_in_the_admin(client):
    feedback = FeedbackFactory()
    url = admin_feedback_url(feedback)
    assert url.startswith("http://testserver/admin/")  # WAGTAILADMIN_BASE_URL of the tests
    client.force_login(UserFactory(username="boss", is_superuser=True))
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert feedback.reference in response.content.decode()


def test_admin_feedback_url_is_the_case_screen():
    feedback = FeedbackFactory()
    url = admin_feedback_url(feedback)  # before anything here loads the admin's URLs
    path = reverse(feedback_viewset.get_url_name("inspect"), args=[feedback.pk])
    assert path == f"/admin/palaute/{feedback.pk}/"
    assert url == f"http://testserver{path}"


# Delivery: retries, backoff, never twice


def test_smtp_down_keeps_the_row_pending_with_backoff(
    smtp_down, django_capture_on_commit_callbacks,
):
    with override_settings(PALAUTE_EMAIL_RETRY_BASE_SECONDS=300):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            notification = queue_receipt()
    notification.refresh_from_db()
    assert notification.state == Notification.State.PENDING
    assert notification.attempts == 1
    assert "SMTPException" in notification.last_error
    delay = notification.next_attempt_at - timezone.now()
    assert timedelta(seconds=290) < delay <= timedelta(seconds=300)
    assert mail.outbox == []

    smtp_down.undo()
    assert retry_pending_notifications() == 0  # not due yet
    make_due(notification)
    assert retry_pending_notifications() == 1
    assert retry_pending_notifications() == 0
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (Notification.State.SENT, 2)
    assert notification.last_error == ""
    assert len(mail.outbox) == 1


@override_settings(PALAUTE_EMAIL_RETRY_BASE_SECONDS=10)
def test_backoff_doubles():
    assert [tasks.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]


@override_settings(PALAUTE_EMAIL_MAX_ATTEMPTS=3)
def test_gives_up_after_the_maximum_attempts(smtp_down):
    notification = queue_receipt()
    results = []
    for _ in range(3):
        make_due(notification)
        results.append(deliver_notification(notification.pk))
    assert results == ["retry", "retry", "failed"]
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (Notification.State.FAILED, 3)
    make_due(notification)
    smtp_down.undo()
    assert retry_pending_notifications() == 0
    assert deliver_notification(notification.pk) == "skipped"
    assert mail.outbox == []


def test_delivering_the_same_row_twice_sends_once():
    notification = queue_receipt()  # never committed here, so never enqueued
    assert deliver_notification(notification.pk) == "sent"
    assert deliver_notification(notification.pk) == "skipped"
    assert retry_pending_notifications() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)  # as in a worker: no transaction around the task
def test_an_email_sent_while_the_database_connection_drops_is_recorded_and_not_sent_again(
        monkeypatch):
    from django.db import OperationalError
    from django.db.models import QuerySet

    monkeypatch.setattr(queue, "async_task", lambda *args, **kwargs: None)
    monkeypatch.setattr(tasks.time, "sleep", lambda seconds: None)
    notification = queue_receipt()
    real_update, failures = QuerySet.update, []

    def connection_dropped_once(queryset, **changes):
        if changes.get("state") == Notification.State.SENT and not failures:
            failures.append(changes)
            raise OperationalError("terminating connection due to administrator command")
        return real_update(queryset, **changes)

    monkeypatch.setattr(QuerySet, "update", connection_dropped_once)
    assert deliver_notification(notification.pk) == "sent"
    notification.refresh_from_db()
    assert (len(failures), notification.state) == (1, Notification.State.SENT)
    make_due(notification)
    assert tasks.release_stale() == 0
    assert deliver_notification(notification.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_row_being_sent_is_skipped():
    notification = queue_receipt()
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.SENDING, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert deliver_notification(notification.pk) == "skipped"
    assert retry_pending_notifications() == 0
    assert mail.outbox == []


def test_a_deleted_row_is_skipped():
    notification = queue_receipt()
    Notification.objects.filter(pk=notification.pk).delete()
    assert deliver_notification(notification.pk) == "skipped"


def test_broker_down_still_commits_and_the_sweeper_delivers(
    monkeypatch, django_capture_on_commit_callbacks,
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(queue, "async_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        feedback = FeedbackFactory()
        notification = queue_receipt(feedback)
    assert type(feedback).objects.filter(pk=feedback.pk).exists()
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (Notification.State.PENDING, 0)
    assert mail.outbox == []

    monkeypatch.undo()
    assert retry_pending_notifications() == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert len(mail.outbox) == 1


def test_stale_sending_row_goes_back_to_pending_and_is_delivered():
    stale = queue_receipt()
    fresh = queue_receipt()
    now = timezone.now()
    Notification.objects.filter(pk=stale.pk).update(
        state=Notification.State.SENDING, attempts=1, next_attempt_at=now - timedelta(seconds=1)
    )
    Notification.objects.filter(pk=fresh.pk).update(
        state=Notification.State.SENDING, attempts=1, next_attempt_at=now + timedelta(minutes=10)
    )
    assert retry_pending_notifications() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.state, stale.attempts) == (Notification.State.SENT, 2)
    assert fresh.state == Notification.State.SENDING
    assert [m.extra_headers["X-Palaute-Notification"] for m in mail.outbox] == [str(stale.pk)]


@override_settings(PALAUTE_EMAIL_SENDING_LEASE_SECONDS=600)
def test_claim_leases_the_row_for_the_configured_time(monkeypatch):
    notification = queue_receipt()
    seen = {}

    def capture(self, messages):
        seen["row"] = Notification.objects.get(pk=notification.pk)
        return len(messages)

    monkeypatch.setattr(EmailBackend, "send_messages", capture)
    assert deliver_notification(notification.pk) == "sent"
    lease = seen["row"].next_attempt_at - timezone.now()
    assert seen["row"].state == Notification.State.SENDING
    assert timedelta(seconds=590) < lease <= timedelta(seconds=600)


def test_the_default_lease_is_a_little_over_the_task_timeout(monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "TIMEOUT", 60)
    assert tasks.sending_lease_seconds() == 90
    monkeypatch.setattr(Conf, "TIMEOUT", None)  # no task timeout: the old safe lease
    assert tasks.sending_lease_seconds() == 15 * 60 + 30


@override_settings(PALAUTE_EMAIL_MAX_ATTEMPTS=2)
def test_stale_row_at_the_maximum_fails():
    notification = queue_receipt()
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.SENDING, attempts=2,
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )
    assert retry_pending_notifications() == 0
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert "interrupted" in notification.last_error
    assert mail.outbox == []


def wait_while_locked(execute, sql, params, many, context):
    """Run one statement again while SQLite says its table is locked.

    The test database is SQLite's shared in-memory cache, whose table locks fail at
    once instead of waiting as a file database's busy timeout does (and as PostgreSQL
    waits for a row lock). Each statement here is its own transaction (autocommit),
    so running it again is what the waiting would have done.
    """
    for _ in range(500):
        try:
            return execute(sql, params, many, context)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.01)
    return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_row_send_once(monkeypatch):
    monkeypatch.setattr(queue, "async_task", lambda *args, **kwargs: None)
    notification = queue_receipt()
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            with connection.execute_wrapper(wait_while_locked):
                start.wait()
                results.append(deliver_notification(notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["sent", "skipped"]
    assert len(mail.outbox) == 1


# The retry schedule


def test_retry_schedule_exists_after_migrations():
    schedule = Schedule.objects.get(func="palaute_plugin.tasks.retry_pending_notifications")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)
    assert schedule.cluster is None


def test_schedules_are_created_once_and_keep_their_timing():
    func = "palaute_plugin.tasks.retry_pending_notifications"
    Schedule.objects.filter(func=func).update(minutes=7)
    Schedule.objects.filter(func="palaute_plugin.tasks.process_pending_photos").delete()
    tasks.ensure_schedules()
    tasks.ensure_schedules()
    assert Schedule.objects.get(func=func).minutes == 7  # the operator's timing is kept
    assert set(Schedule.objects.filter(func__startswith="palaute_plugin.")
               .values_list("func", flat=True)) == set(tasks.SCHEDULES)
    assert Schedule.objects.filter(func__in=tasks.SCHEDULES).count() == len(tasks.SCHEDULES)


def test_a_transactions_emails_reach_the_broker_together(django_capture_on_commit_callbacks):
    feedback = FeedbackFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with queue.atomic():
            queue_receipt(feedback)
            with queue.atomic():
                queue_receipt(feedback)
    assert len(callbacks) == 1  # one batch, one commit on the ORM broker
    assert len(mail.outbox) == 2


def test_tasks_of_a_rolled_back_inner_block_are_not_enqueued(
        django_capture_on_commit_callbacks, monkeypatch):
    enqueued = []
    monkeypatch.setattr(queue, "_enqueue", lambda *task: enqueued.append(task))
    with django_capture_on_commit_callbacks(execute=True), queue.atomic():
        queue.enqueue_after_commit("kept", 1, "kept-1")
        with pytest.raises(RuntimeError), queue.atomic():
            queue.enqueue_after_commit("dropped", 2, "dropped-2")
            raise RuntimeError("this part failed")
    assert [task[0] for task in enqueued] == ["kept"]


def test_tasks_of_a_rolled_back_transaction_are_not_enqueued(
        django_capture_on_commit_callbacks, monkeypatch):
    enqueued = []
    monkeypatch.setattr(queue, "_enqueue", lambda *task: enqueued.append(task))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), queue.atomic():
            queue.enqueue_after_commit("dropped", 1, "dropped-1")
            raise RuntimeError("rolled back")
        with queue.atomic():  # the next transaction starts with an empty batch
            queue.enqueue_after_commit("kept", 2, "kept-2")
    assert [task[0] for task in enqueued] == ["kept"]


def test_an_email_after_a_rolled_back_savepoint_is_still_sent(
        django_capture_on_commit_callbacks):
    feedback = FeedbackFactory()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_receipt(feedback)
            raise RuntimeError("this part failed")
        queue_receipt(feedback)
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_schedules_wait_for_django_q_tables():
    from django.apps.registry import Apps

    Schedule.objects.filter(func__in=tasks.SCHEDULES).delete()
    tasks.ensure_schedules(apps=Apps(installed_apps=[]))  # django_q not migrated yet
    assert not Schedule.objects.filter(func__in=tasks.SCHEDULES).exists()
    tasks.ensure_schedules()  # the next migrate, with django_q's tables
    assert Schedule.objects.filter(func__in=tasks.SCHEDULES).count() == len(tasks.SCHEDULES)


# A question or a proposal is not called feedback in what the resident reads

RESIDENT_DECISIONS = ["resolved", "closed", "work_list", "already_known", "redirected",
                      "reopened", "reply"]
KIND_WORDS = {
    ("en", "question"): "question", ("en", "proposal"): "proposal",
    ("fi", "question"): "kysymy", ("fi", "proposal"): "ehdotu",
    ("sv", "question"): "fråga", ("sv", "proposal"): "förslag",
}
FOLLOW_WORDS = {
    ("en", "question"): "Follow your question", ("en", "proposal"): "Follow your proposal",
    ("fi", "question"): "Seuraa kysymystäsi", ("fi", "proposal"): "Seuraa ehdotustasi",
    ("sv", "question"): "Följ din fråga", ("sv", "proposal"): "Följ ditt förslag",
}
FEEDBACK_WORDS = ("feedback", "palaut", "respons")


@pytest.mark.parametrize("template", RESIDENT_DECISIONS)
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("kind", ["question", "proposal"])
def test_a_question_or_proposal_is_named_so_in_the_residents_emails(template, language, kind):
    feedback = FeedbackFactory(kind=kind, language=language, contact_email="asukas@example.com",
                               page=feedback_page())
    extra = {
        "already_known": {"earlier": FeedbackFactory(category=feedback.category)},
        "redirected": {"authority": OtherAuthorityFactory()},
        "reply": {"message": "Katu aurataan huomenna."},
    }.get(template, {})
    notification = notify_resident(feedback, template, **extra)
    intro_sentence = re.split(r"[.:]", notification.body_text.strip().splitlines()[0])[0]
    word = KIND_WORDS[language, kind]
    for text in (notification.subject.lower(), intro_sentence.lower()):
        assert word in text
        assert not any(other in text for other in FEEDBACK_WORDS)
    assert FOLLOW_WORDS[language, kind] in notification.body_text
    assert FOLLOW_WORDS[language, kind] in notification.body_html


@pytest.mark.parametrize("language, subject", [
    ("en", "Your feedback was resolved"),
    ("fi", "Palautettasi koskeva asia on ratkaistu"),
    ("sv", "Ärendet i din respons har lösts"),
])
def test_feedback_is_still_called_feedback(language, subject):
    feedback_page()
    feedback = FeedbackFactory(kind="feedback", language=language, contact_email="a@example.com")
    notification = notify_resident(feedback, "resolved")
    assert notification.subject == f"{subject} ({feedback.reference})"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("kind", ["question", "proposal"])
def test_the_receipt_of_a_question_or_proposal_does_not_call_it_feedback(language, kind):
    """Its first line thanked for the proposal; the rest said "your feedback"."""
    feedback = FeedbackFactory(kind=kind, language=language, page=feedback_page())
    notification = queue_receipt(feedback, language=language)
    for text in (notification.body_text, notification.body_html):
        text = re.sub(r"https?://\S+|<[^>]+>", " ", text).lower()
        # What is left is the service's name in the footer ("the feedback service").
        text = text.replace("feedback service", "").replace("palautepalvelu", "").replace(
            "responstjänsten", "")
        assert not re.findall(r"feedback|palaut|\brespons(?:en|er)?\b", text), text
    assert FOLLOW_WORDS[language, kind] in notification.body_html
