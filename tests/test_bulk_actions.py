"""Bulk actions on the inbox's selected cases (staff/bulk_actions.py)."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from palaute_plugin.models import Feedback, Notification
from palaute_plugin.staff import bulk_actions
from palaute_plugin.staff.viewsets import feedback_viewset

from .admin_fixtures import admin_user, assert_sent_to_login, in_english
from .factories import FeedbackFactory, UserFactory

pytestmark = pytest.mark.django_db

INDEX_URL = feedback_viewset.get_url_name("index")
Status = Feedback.Status


def bulk_url(action, cases=(), **params):
    query = [("id", case if isinstance(case, str) else case.pk) for case in cases]
    query += list(params.items())
    url = reverse("wagtail_bulk_action", args=["palaute_plugin", "feedback", action])
    return f"{url}?{urlencode(query)}"


@pytest.fixture
def street_cases(streets):
    return [FeedbackFactory(category=streets, contact_email=f"asukas{n}@example.com")
            for n in range(3)]


def test_bulk_confirmation_lists_the_selected_cases(handler_client, street_cases):
    response = handler_client.get(bulk_url("change_status", street_cases[:2]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "This applies to 2 cases:" in content
    assert street_cases[0].reference in content and street_cases[1].reference in content
    assert street_cases[2].reference not in content
    assert 'name="status"' in content and 'name="message"' in content


def test_the_status_form_says_in_which_languages_the_residents_wrote(handler_client, streets):
    """One text goes to every selected resident as written: the form names their
    languages (only of those who get it: with an email address)."""
    cases = [FeedbackFactory(category=streets, contact_email=f"fi{n}@example.com",
                             language="fi") for n in range(2)]
    cases += [FeedbackFactory(category=streets, contact_email="sv@example.com", language="sv"),
              FeedbackFactory(category=streets, contact_email="", language="en")]
    content = handler_client.get(bulk_url("change_status", cases)).content.decode()
    assert "The residents who get it wrote in: Finnish (2), Swedish (1)." in content


def test_bulk_assign_assigns_each_case_and_emails_the_assignee(
        handler_client, handler, colleague, street_cases, django_capture_on_commit_callbacks):
    url = bulk_url("assign", street_cases, next=reverse(INDEX_URL))
    form = handler_client.get(url)
    choices = dict(form.context["form"].fields["assignee"].choices)
    assert {str(key) for key in choices if key} == {str(handler.pk), str(colleague.pk)}
    boss = UserFactory(username="boss", is_superuser=True)  # sees every category
    choices = dict(handler_client.get(url).context["form"].fields["assignee"].choices)
    assert str(boss.pk) in {str(key) for key in choices}

    with django_capture_on_commit_callbacks(execute=True):
        response = handler_client.post(url, {"assignee": colleague.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse(INDEX_URL)
    for case in street_cases:
        case.refresh_from_db()
        assert case.assignee == colleague
        assert case.status == Status.IN_PROGRESS
    assert Notification.objects.filter(template="assigned", recipient=colleague.email).count() == 3
    assert [message.to for message in mail.outbox] == [[colleague.email]] * 3

    content = handler_client.get(reverse(INDEX_URL)).content.decode()
    assert "3 cases assigned to Kalle Kollega." in content


def test_bulk_resolve_emails_each_resident(handler_client, street_cases):
    response = handler_client.post(
        bulk_url("change_status", street_cases),
        {"status": "resolved", "message": "Lamppu vaihdettu."}, follow=True,
    )
    assert "3 cases changed to “resolved”." in response.content.decode()
    for case in street_cases:
        case.refresh_from_db()
        assert case.status == Status.RESOLVED
        assert case.closed_at is not None
    resolved = Notification.objects.filter(template="resolved", to_resident=True)
    assert sorted(resolved.values_list("recipient", flat=True)) == [
        "asukas0@example.com", "asukas1@example.com", "asukas2@example.com"]
    assert all("Lamppu vaihdettu." in n.body_text for n in resolved)


def test_bulk_work_list_close_and_reject(handler_client, streets):
    work, close, reject = (FeedbackFactory(category=streets) for _ in range(3))
    expected = (timezone.localdate() + timedelta(days=30)).isoformat()
    handler_client.post(bulk_url("change_status", [work]),
                        {"status": "work_list", "expected_date": expected})
    handler_client.post(bulk_url("change_status", [close]),
                        {"status": "closed", "message": "Ei toimenpiteitä."})
    handler_client.post(bulk_url("change_status", [reject]),
                        {"status": "rejected", "message": "Roskapostia"})
    for case in (work, close, reject):
        case.refresh_from_db()
    assert work.status == Status.WORK_LIST
    assert work.expected_date.isoformat() == expected
    assert close.status == Status.CLOSED
    assert reject.status == Status.REJECTED
    templates = set(Notification.objects.filter(to_resident=True)
                    .values_list("feedback__reference", "template"))
    assert (work.reference, "work_list") in templates
    assert (close.reference, "closed") in templates
    assert not Notification.objects.filter(feedback=reject, to_resident=True).exclude(
        template="receipt").exists()


def test_bulk_resolve_and_close_require_a_message(handler_client, street_cases):
    for status, error in (("resolved", "Write the answer to the residents."),
                          ("closed", "Write the reason for closing.")):
        response = handler_client.post(bulk_url("change_status", street_cases),
                                       {"status": status, "message": "  "})
        assert response.status_code == 200
        assert error in response.content.decode()
    assert not Feedback.objects.exclude(status=Status.NEW).exists()


def test_bulk_action_skips_and_never_touches_another_categorys_case(
        handler_client, street_cases, housing):
    hidden = FeedbackFactory(category=housing)
    url = bulk_url("change_status", [street_cases[0], hidden, "999999"])
    confirm = handler_client.get(url).content.decode()
    assert "2 selected cases are skipped" in confirm
    assert hidden.reference not in confirm

    response = handler_client.post(url, {"status": "resolved", "message": "Korjattu."},
                                   follow=True)
    content = response.content.decode()
    assert "1 case changed to “resolved”." in content
    assert "2 selected cases were skipped" in content
    assert hidden.reference not in content
    hidden.refresh_from_db()
    assert hidden.status == Status.NEW and hidden.version == 0
    assert not ModelLogEntry.objects.for_instance(hidden).exists()
    assert not Notification.objects.filter(feedback=hidden).exclude(
        template__in=["receipt", "new_feedback"]).exists()


def test_bulk_action_lists_failures_with_their_reason(handler_client, street_cases):
    done = street_cases[0]
    refused = FeedbackFactory(category=street_cases[0].category, status=Status.CLOSED)
    response = handler_client.post(
        bulk_url("change_status", [done, refused]),
        {"status": "work_list"}, follow=True,
    )
    content = response.content.decode()
    assert "1 case changed to “moved to the work list”." in content
    assert "1 case could not be changed:" in content
    assert f"{refused.reference}: This cannot be done while the feedback is “closed”." in content
    refused.refresh_from_db()
    assert refused.status == Status.CLOSED


def test_bulk_assign_to_someone_outside_a_cases_category_fails_for_that_case(
        client, streets, housing, handler, housing_handler):
    boss = in_english(UserFactory(username="boss", is_superuser=True))
    client.force_login(boss)
    street_case, housing_case = FeedbackFactory(category=streets), FeedbackFactory(category=housing)
    response = client.post(bulk_url("assign", [street_case, housing_case]),
                           {"assignee": handler.pk}, follow=True)
    content = response.content.decode()
    assert "1 case assigned to Sanna Katu." in content
    assert f"{housing_case.reference}: Choose a person who handles this category." in content
    housing_case.refresh_from_db()
    assert housing_case.assignee is None


def test_bulk_action_on_all_in_listing_follows_the_filters(handler_client, streets, housing):
    questions = [FeedbackFactory(category=streets, kind=Feedback.Kind.QUESTION) for _ in range(2)]
    other = FeedbackFactory(category=streets)
    hidden = FeedbackFactory(category=housing, kind=Feedback.Kind.QUESTION)
    handler_client.post(bulk_url("change_status", ["all"], kind="question"),
                        {"status": "rejected"})
    assert set(Feedback.objects.filter(status=Status.REJECTED)) == set(questions)
    other.refresh_from_db()
    hidden.refresh_from_db()
    assert other.status == Status.NEW and hidden.status == Status.NEW


def test_bulk_action_refuses_too_big_a_selection(handler_client, street_cases, monkeypatch):
    monkeypatch.setattr(bulk_actions.FeedbackBulkAction, "max_cases", 2)
    url = bulk_url("change_status", street_cases)
    assert "Select at most 2 cases at a time." in handler_client.get(url).content.decode()
    response = handler_client.post(url, {"status": "rejected"}, follow=True)
    assert "Select at most 2 cases at a time." in response.content.decode()
    assert not Feedback.objects.filter(status=Status.REJECTED).exists()


def test_bulk_actions_turn_away_anonymous_and_non_handlers(client, street_cases):
    url = bulk_url("change_status", street_cases)
    response = client.post(url, {"status": "rejected"})
    assert_sent_to_login(response)

    editor = admin_user(username="editor")
    client.force_login(editor)
    response = client.post(url, {"status": "rejected"})
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert not Feedback.objects.filter(status=Status.REJECTED).exists()


def test_bulk_action_query_count_is_per_case_not_per_listing(handler_client, streets):
    """The confirmation page loads the selection in one query."""
    def confirm_queries(cases):
        with CaptureQueriesContext(connection) as queries:
            assert handler_client.get(bulk_url("change_status", cases)).status_code == 200
        return len(queries)

    few = confirm_queries([FeedbackFactory(category=streets) for _ in range(2)])
    many = confirm_queries([FeedbackFactory(category=streets) for _ in range(20)])
    assert many == few
