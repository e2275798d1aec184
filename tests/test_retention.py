"""Retention (insights/retention.py, ``manage.py palaute_retention``): contact details
and photos of closed cases go after their periods, logged; open cases, cases on legal
hold and published photos stay; a dry run changes nothing; a second run does nothing."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from wagtail.models import ModelLogEntry

from palaute_plugin import tasks
from palaute_plugin.insights import retention
from palaute_plugin.insights.log_actions import PERSONAL_DATA_REMOVED, PHOTOS_DELETED
from palaute_plugin.insights.models import LegalHold
from palaute_plugin.models import Feedback, FeedbackPhoto, Notification

from .admin_fixtures import add_photo
from .factories import FeedbackFactory

pytestmark = pytest.mark.django_db
Status = Feedback.Status


def closed_case(category, months_ago, **fields):
    closed = timezone.now() - timedelta(days=31 * months_ago)
    defaults = {"status": Status.RESOLVED, "closed_at": closed,
                "contact_name": "Maija Meikäläinen", "contact_email": "maija@example.com",
                "contact_phone": "040 123 4567",
                "message": "Maija Meikäläinen täällä, soittakaa 040 123 4567. Valo on rikki."}
    return FeedbackFactory(category=category, **{**defaults, **fields})


@pytest.fixture
def cases(streets):
    old = closed_case(streets, 25)
    recent = closed_case(streets, 6)
    open_case = closed_case(streets, 30, status=Status.IN_PROGRESS)
    held = closed_case(streets, 30)
    LegalHold.objects.create(feedback=held, reason="Valitus hallinto-oikeudessa")
    return {"old": old, "recent": recent, "open": open_case, "held": held}


def command(*args):
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("palaute_retention", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_and_changes_nothing(cases):
    output = command("--dry-run")
    assert cases["old"].reference in output
    for key in ("recent", "open"):
        assert cases[key].reference not in output
    # The held case is named as left alone, not among what would change.
    would, held = output.split("Past their retention but on legal hold, left as they are: "
                               "1 case:")
    assert cases["held"].reference not in would
    assert cases["held"].reference in held
    assert "nothing was changed" in output
    assert "Open cases are never touched." in output
    cases["old"].refresh_from_db()
    assert cases["old"].contact_email == "maija@example.com"
    assert not ModelLogEntry.objects.filter(action=PERSONAL_DATA_REMOVED).exists()


def test_real_run_removes_contact_details_and_anonymises_the_message(cases):
    Notification.objects.create(feedback=cases["old"], template="reply", to_resident=True,
                                recipient="maija@example.com", subject="Vastaus",
                                body_text="Hei Maija Meikäläinen", state="sent")
    output = command()
    assert "removed from 1 cases" in output
    old = Feedback.objects.get(pk=cases["old"].pk)
    assert (old.contact_name, old.contact_email, old.contact_phone) == ("", "", "")
    assert "Meikäläinen" not in old.message and "040" not in old.message
    assert "[poistettu]" in old.message and "Valo on rikki." in old.message
    email = Notification.objects.get(feedback=old)
    assert (email.recipient, email.body_text) == ("", "")
    entry = ModelLogEntry.objects.get(action=PERSONAL_DATA_REMOVED)
    assert entry.object_id == str(old.pk) and "maija" not in str(entry.data).lower()
    for key in ("recent", "open", "held"):
        untouched = Feedback.objects.get(pk=cases[key].pk)
        assert untouched.contact_email == "maija@example.com"


def test_a_second_run_does_nothing(cases):
    command()
    assert retention.apply() == {"contact": 0, "photos": 0, "subscriptions": 0, "more": False}
    assert "would be removed from 0 cases" in command("--dry-run")
    assert ModelLogEntry.objects.filter(action=PERSONAL_DATA_REMOVED).count() == 1


def test_a_case_changed_meanwhile_is_not_erased_twice(cases):
    # Another run got there between listing and locking: the locked re-check finds nothing.
    assert retention.erase_personal_data(cases["old"].pk, reason="retention",
                                         closed_before=timezone.now())
    assert not retention.erase_personal_data(cases["old"].pk, reason="retention",
                                             closed_before=timezone.now())
    assert ModelLogEntry.objects.filter(action=PERSONAL_DATA_REMOVED).count() == 1


def test_messages_removed_when_not_kept(cases, settings):
    settings.PALAUTE_RETENTION_KEEP_MESSAGES = False
    command()
    assert Feedback.objects.get(pk=cases["old"].pk).message == "[poistettu]"
    assert retention.apply() == {"contact": 0, "photos": 0, "subscriptions": 0, "more": False}


def test_photos_go_after_their_own_period_except_published_ones(streets, cases):
    photo_case = closed_case(streets, 13, contact_email="", contact_name="", contact_phone="")
    kept = add_photo(photo_case)
    gone = add_photo(photo_case, sort_order=1)
    add_photo(cases["recent"])
    add_photo(cases["held"])
    from palaute_plugin.models import FeedbackPublication
    from palaute_plugin.publication.photos import PublicPhoto

    publication = FeedbackPublication.objects.create(feedback=photo_case, title="Valo",
                                                     category=streets)
    PublicPhoto.objects.create(publication=publication, source=kept, image="x.jpg",
                               thumbnail="y.jpg")
    file_name = gone.image.name
    planned = retention.plan()
    assert planned.photos == [photo_case.reference]
    command()
    assert list(FeedbackPhoto.objects.filter(feedback=photo_case)) == [kept]
    assert not gone.image.storage.exists(file_name)
    assert FeedbackPhoto.objects.filter(feedback=cases["recent"]).count() == 1
    assert FeedbackPhoto.objects.filter(feedback=cases["held"]).count() == 1
    assert ModelLogEntry.objects.filter(action=PHOTOS_DELETED).count() == 1
    assert retention.apply()["photos"] == 0


def test_retention_is_an_hourly_schedule():
    assert tasks.SCHEDULES["palaute_plugin.insights.tasks.apply_retention"][1] == 60


def test_batches_and_a_deadline_leave_the_rest_to_the_next_run(streets):
    cases = [closed_case(streets, 25) for _ in range(5)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert retention.apply(batch_size=2) == {"contact": 5, "photos": 0, "subscriptions": 0, "more": False}
    assert not Feedback.objects.filter(pk__in=[c.pk for c in cases]).exclude(
        contact_email="").exists()
    more = [closed_case(streets, 25) for _ in range(3)]
    assert retention.apply(deadline=0) == {"contact": 0, "photos": 0, "subscriptions": 0, "more": True}
    assert Feedback.objects.filter(pk__in=[c.pk for c in more], contact_email="").count() == 0
    assert retention.apply(batch_size=2)["contact"] == 3


def test_a_run_overtaken_by_a_concurrent_one_does_no_double_work(cases, monkeypatch):
    """Another run erases everything between this run's listing and its first case."""
    original = retention.erase_personal_data
    overtaken = []

    def overtaken_once(pk, **kwargs):
        if not overtaken:
            overtaken.append(original(pk, **kwargs))  # the other run, first to the lock
        return original(pk, **kwargs)

    monkeypatch.setattr(retention, "erase_personal_data", overtaken_once)
    assert retention.apply() == {"contact": 0, "photos": 0, "subscriptions": 0, "more": False}
    assert overtaken == [True]
    assert ModelLogEntry.objects.filter(action=PERSONAL_DATA_REMOVED).count() == 1


def test_a_dry_run_with_nothing_to_do_ends_its_lines_with_a_full_stop():
    """"Contact details would be removed from 0 cases:" ended in a colon above nothing."""
    output = command("--dry-run")
    assert "Contact details would be removed from 0 cases.\n" in output
    assert ":\n" not in output
