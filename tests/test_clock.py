"""The response clock's emails (insights/clock.py): reminders, escalation and the daily
digest, each sent once, in the staff member's admin language."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from wagtail.users.models import UserProfile

from palaute_plugin import actions, tasks
from palaute_plugin.insights import clock
from palaute_plugin.insights.models import ClockStep, DigestSent
from palaute_plugin.models import Feedback, Notification

from .factories import FeedbackFactory, UserFactory

pytestmark = pytest.mark.django_db

HELSINKI = ZoneInfo("Europe/Helsinki")
#: Monday 15 June 2026, 9:00 in Tornio; midsummer eve is Friday 19 June.
MONDAY = datetime(2026, 6, 15, 9, 0, tzinfo=HELSINKI)


def run(func, *args, **kwargs):
    """Run a clock step and deliver what it queued."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return func(*args, **kwargs)


def swedish(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "sv"
    profile.save()
    return user


@pytest.fixture
def boss():
    return UserFactory(username="boss", email="boss@tornio.example")


@pytest.fixture
def category(streets, boss):
    streets.responsible_person = boss
    streets.supervisor_email = "esimies@tornio.example"
    streets.save()
    return streets


def case_due(category, due_at, **fields):
    return FeedbackFactory(category=category, due_at=due_at, **fields)


def test_reminder_goes_to_the_assignee_once_before_the_due_time(category, handler, settings):
    settings.PALAUTE_REMINDER_WORKING_DAYS = 2
    swedish(handler)
    # Due Wednesday: two working days from Monday (Tuesday, Wednesday) → reminded today.
    soon = case_due(category, MONDAY + timedelta(days=2, hours=3), assignee=handler)
    # Due Monday 22 June: Thursday, (Friday is midsummer eve), Monday → not yet.
    later = case_due(category, datetime(2026, 6, 22, 12, tzinfo=HELSINKI), assignee=handler)
    assert run(clock.send_reminders, MONDAY) == 1
    assert [m.to for m in mail.outbox] == [[handler.email]]
    assert soon.reference in mail.outbox[0].subject
    assert "Påminnelse" in mail.outbox[0].subject  # in the handler's admin language
    assert f"/admin/palaute/{soon.pk}/" in mail.outbox[0].body
    assert ClockStep.objects.get().feedback == soon
    mail.outbox.clear()
    assert run(clock.send_reminders, MONDAY) == 0
    assert mail.outbox == []
    # On Thursday 18 June the later case is two working days away (Friday is a holiday).
    thursday = datetime(2026, 6, 18, 9, tzinfo=HELSINKI)
    assert run(clock.send_reminders, thursday) == 1
    assert later.reference in mail.outbox[0].subject


def test_no_reminders_when_switched_off(category, handler, settings):
    settings.PALAUTE_REMINDER_WORKING_DAYS = 0
    case_due(category, MONDAY + timedelta(hours=5), assignee=handler)
    assert run(clock.send_reminders, MONDAY) == 0


def test_answered_closed_and_unassigned_cases_are_not_reminded(category, handler):
    due = MONDAY + timedelta(hours=5)
    case_due(category, due, assignee=handler, first_response_at=MONDAY)
    case_due(category, due, assignee=handler, status=Feedback.Status.RESOLVED)
    case_due(category, due)
    assert run(clock.send_reminders, MONDAY) == 0
    assert mail.outbox == []


def test_escalation_goes_to_the_responsible_person_and_supervisor_once(category, boss, handler):
    swedish(boss)
    overdue = case_due(category, MONDAY - timedelta(hours=1), assignee=handler)
    case_due(category, MONDAY + timedelta(days=3), assignee=handler)  # not yet due
    assert run(clock.send_escalations, MONDAY) == 1
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["boss@tornio.example", "esimies@tornio.example"]
    to_boss = next(m for m in mail.outbox if m.to == ["boss@tornio.example"])
    to_supervisor = next(m for m in mail.outbox if m.to == ["esimies@tornio.example"])
    assert overdue.reference in to_boss.subject
    assert "Försenad" in to_boss.subject  # the boss reads Swedish
    assert "Myöhässä" in to_supervisor.subject  # the site's language
    assert "Sanna Katu" in to_supervisor.body  # who has it
    mail.outbox.clear()
    assert run(clock.send_escalations, MONDAY + timedelta(hours=1)) == 0
    assert mail.outbox == []
    assert Notification.objects.filter(template="clock_escalation").count() == 2


def test_a_reopened_case_gets_a_new_clock(category, handler):
    case = case_due(category, MONDAY - timedelta(hours=1), assignee=handler)
    run(clock.send_escalations, MONDAY)
    assert ClockStep.objects.filter(feedback=case).count() == 1
    actions.close(case, user=handler, reason="Ei toimenpiteitä.")
    before = timezone.now()
    reopened = actions.reopen(case, user=handler)
    after = timezone.now()
    assert category.due_time(before) <= reopened.due_at <= category.due_time(after)
    assert reopened.due_at > before + timedelta(days=14)
    # It was answered before (first_response_at): the clock's one rule runs for unanswered
    # cases only, so the new due time is shown but not reminded of.
    assert reopened.first_response_at is not None
    assert run(clock.send_reminders, reopened.due_at - timedelta(hours=1)) == 0


def test_run_twice_sends_nothing_new(category, handler, settings):
    settings.PALAUTE_DIGEST_HOUR = 7
    case_due(category, MONDAY - timedelta(hours=1), assignee=handler)
    case_due(category, MONDAY + timedelta(hours=3), assignee=handler)
    first = run(clock.run_clock, MONDAY)
    assert first == {"reminders": 1, "escalations": 1, "digests": 2}  # handler and boss
    sent = len(mail.outbox)
    assert run(clock.run_clock, MONDAY + timedelta(minutes=5)) == {
        "reminders": 0, "escalations": 0, "digests": 0}
    assert len(mail.outbox) == sent


def test_digest_lists_new_due_soon_and_overdue_with_admin_links(category, handler):
    new = FeedbackFactory(category=category)
    soon = case_due(category, MONDAY + timedelta(hours=20), assignee=handler,
                    status=Feedback.Status.IN_PROGRESS)
    late = case_due(category, MONDAY - timedelta(days=1), assignee=handler,
                    status=Feedback.Status.IN_PROGRESS)
    FeedbackFactory(category=FeedbackFactory().category)  # another team's case
    assert run(clock.send_digest, handler, MONDAY.date(), MONDAY) == 1
    message = mail.outbox[0]
    assert message.to == [handler.email]
    assert "1 new, 1 due soon, 1 overdue" in message.subject  # the handler reads English
    for case in (new, soon, late):
        assert f"/admin/palaute/{case.pk}/" in message.body
    assert "/admin/palaute/" in message.alternatives[0][0]
    assert DigestSent.objects.filter(user=handler, day=MONDAY.date()).exists()


def test_digest_waits_for_the_hour_and_skips_empty_days(category, handler, settings):
    settings.PALAUTE_DIGEST_HOUR = 10
    assert "digests" not in run(clock.run_clock, MONDAY)
    assert run(clock.send_digests, MONDAY) == 0  # nothing to tell: recorded, not sent
    assert mail.outbox == []
    assert DigestSent.objects.filter(user=handler).count() == 1


def test_the_clock_is_a_schedule():
    assert tasks.SCHEDULES["palaute_plugin.insights.tasks.run_clock"][1] == 60
