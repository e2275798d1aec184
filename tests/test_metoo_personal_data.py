""""Me too" subscriptions and personal data (publication/personal_data.py): found,
exported and erased through residents' data requests, deleted by retention after the
contact period, and subscribers' addresses kept out of the staff's case timeline."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from palaute_plugin import actions
from palaute_plugin.insights import data_requests, retention
from palaute_plugin.insights.models import LegalHold
from palaute_plugin.models import Feedback, Notification
from palaute_plugin.publication import subscriptions
from palaute_plugin.publication.models import FeedbackPublication
from palaute_plugin.publication.personal_data import SubscriptionData
from palaute_plugin.publication.subscriptions import MeTooSubscription

from .admin_fixtures import admin_user, detail_url
from .factories import feedback_page
from .test_metoo import NEAR, case_at, public_record, token_for

pytestmark = pytest.mark.django_db
DATA_URL = "palaute_data_requests"


@pytest.fixture
def page():
    return feedback_page()


@pytest.fixture
def officer(client):
    user = admin_user(username="tietosuoja")
    user.user_permissions.add(Permission.objects.get(
        codename="handle_data_requests", content_type__app_label="palaute_plugin"))
    client.force_login(user)
    return client


@pytest.fixture
def followed(page, streets):
    """A published case followed by two residents, one of them twice over."""
    case = case_at(streets, NEAR, contact_email="")
    record = public_record(case)
    other = public_record(case_at(streets, NEAR, contact_email=""))
    subscriptions.confirm(token_for(record, "Naapuri@Example.com"))
    subscriptions.confirm(token_for(other, "naapuri@example.com"))
    subscriptions.confirm(token_for(record, "toinen@example.com"))
    return {"case": case, "record": record, "other": other}


def test_the_source_is_registered_with_the_hook():
    assert any(isinstance(source, SubscriptionData) for source in data_requests.sources())


def test_find_lists_the_addresss_subscriptions_whatever_its_case(followed):
    found = data_requests.other_records(email="NAAPURI@example.com")
    records = found["me_too_subscriptions"]
    assert [record["case"] for record in records] == [followed["record"].reference,
                                                      followed["other"].reference]
    assert {record["email"] for record in records} == {"naapuri@example.com"}
    assert records[0]["unsubscribed"] is None
    assert data_requests.other_records(email="nobody@example.com") == {}
    assert data_requests.other_records(phone="040 123 4567") == {}


def test_export_holds_the_subscriptions(officer, followed):
    exported = json.loads(officer.post(reverse(DATA_URL), {
        "email": "naapuri@example.com", "export": "1"}).content)
    assert exported["cases"] == []
    assert [item["case"] for item in exported["me_too_subscriptions"]] == [
        followed["record"].reference, followed["other"].reference]


def test_erase_deletes_the_subscriptions_lowers_counts_and_blanks_emails(
        officer, followed, handler, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve(followed["case"], user=handler, message="Korjattu.")
    assert Notification.objects.filter(template="metoo_closed",
                                       recipient="naapuri@example.com").count() == 1
    counts = dict(FeedbackPublication.objects.values_list("pk", "affected_count"))
    response = officer.post(reverse(DATA_URL), {"email": "naapuri@example.com",
                                                "erase": "1", "confirm": "1"}, follow=True)
    assert "2 other records" in response.content.decode()
    assert list(MeTooSubscription.objects.values_list("email", flat=True)) == [
        "toinen@example.com"]
    for record in (followed["record"], followed["other"]):
        record.refresh_from_db()
        assert record.affected_count == counts[record.pk] - 1
    emails = Notification.objects.filter(template="metoo_closed").order_by("recipient")
    assert [(email.recipient, email.body_text) for email in emails][0] == ("", "")
    assert emails[1].recipient == "toinen@example.com"
    assert SubscriptionData().erase("naapuri@example.com", "", user=None) == 0


def test_erase_of_an_ended_subscription_leaves_the_count(followed):
    subscription = MeTooSubscription.objects.get(email="toinen@example.com")
    subscriptions.unsubscribe(subscription)
    before = FeedbackPublication.objects.get(pk=followed["record"].pk).affected_count
    assert SubscriptionData().erase("toinen@example.com", "", user=None) == 1
    assert FeedbackPublication.objects.get(pk=followed["record"].pk).affected_count == before


def close(case, months_ago):
    Feedback.objects.filter(pk=case.pk).update(
        status=Feedback.Status.RESOLVED,
        closed_at=timezone.now() - timedelta(days=31 * months_ago))


def test_retention_deletes_subscriptions_of_cases_closed_past_the_contact_period(
        followed, handler, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve(followed["case"], user=handler, message="Korjattu.")
    close(followed["case"], 25)
    close(followed["other"].feedback, 6)
    count = FeedbackPublication.objects.get(pk=followed["record"].pk).affected_count
    done = retention.apply()
    assert done["subscriptions"] == 2
    assert list(MeTooSubscription.objects.values_list("publication_id", flat=True)) == [
        followed["other"].pk]
    assert set(Notification.objects.filter(template="metoo_closed")
               .values_list("recipient", "body_text")) == {("", "")}
    # What the subscribers raised stays: the count is not personal data.
    assert FeedbackPublication.objects.get(pk=followed["record"].pk).affected_count == count
    assert retention.apply()["subscriptions"] == 0


def test_retention_keeps_subscriptions_of_open_and_held_cases(followed):
    close(followed["case"], 25)
    LegalHold.objects.create(feedback=followed["case"], reason="Valitus")
    Feedback.objects.filter(pk=followed["other"].feedback_id).update(
        closed_at=timezone.now() - timedelta(days=31 * 30))  # reopened: still open
    assert retention.apply()["subscriptions"] == 0
    assert MeTooSubscription.objects.count() == 3


def test_staff_timeline_shows_a_subscriber_not_the_address(
        handler_client, followed, handler, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve(followed["case"], user=handler, message="Korjattu.")
    assert len(mail.outbox) >= 2
    content = handler_client.get(detail_url(followed["case"])).content.decode()
    subject = Notification.objects.filter(template="metoo_closed").first().subject
    assert f"Email to a subscriber: {subject}" in content
    assert "naapuri@example.com" not in content.lower()
    assert "toinen@example.com" not in content


def test_staff_timeline_names_the_subscriber_in_finnish(client, followed, handler,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve(followed["case"], user=handler, message="Korjattu.")
    handler.wagtail_userprofile.preferred_language = "fi"
    handler.wagtail_userprofile.save()
    client.force_login(handler)
    content = client.get(detail_url(followed["case"])).content.decode()
    assert "Sähköposti asukkaalle, joka seuraa asiaa:" in content
    assert "toinen@example.com" not in content


def test_case_screens_nearby_section_query_count_does_not_grow(handler_client, streets):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import CategoryFactory

    streets.parent = CategoryFactory(name_fi="Kadut ja liikenne")  # named "parent › child"
    streets.save()
    case = case_at(streets, NEAR)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            content = handler_client.get(detail_url(case)).content.decode()
        return len(captured), content.count(" m away")

    case_at(streets, NEAR)
    queries()  # the first request fills per-process caches (content types, site)
    few, listed = queries()
    for _ in range(4):
        case_at(streets, NEAR)
    many, listed_more = queries()
    assert (listed, listed_more) == (1, 5)
    assert many == few
