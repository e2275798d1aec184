"""The feedback panel on the admin home page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from palaute_plugin.models import Feedback

from .admin_fixtures import admin_user, assert_sent_to_login, in_english
from .factories import FeedbackFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME_URL = "wagtailadmin_home"
Status = Feedback.Status


@pytest.fixture
def cases(streets, housing, handler):
    """Street cases: 3 new (1 overdue), 2 assigned to the handler (1 closed); housing noise."""
    past = timezone.now() - timedelta(days=1)
    street = {
        "new": [FeedbackFactory(category=streets) for _ in range(2)]
        + [FeedbackFactory(category=streets, due_at=past)],
        "mine": [FeedbackFactory(category=streets, assignee=handler, status=Status.IN_PROGRESS),
                 FeedbackFactory(category=streets, assignee=handler, status=Status.RESOLVED,
                                 due_at=past)],
    }
    for _ in range(4):
        FeedbackFactory(category=housing, due_at=past)
    return street


def sections_of(client):
    response = client.get(reverse(HOME_URL))
    assert response.status_code == 200
    return response, {section.key: section for section in response.context["sections"]}


def test_anonymous_user_is_sent_to_the_login(client):
    response = client.get(reverse(HOME_URL))
    assert_sent_to_login(response)


def test_handler_sees_counts_of_their_categories_only(handler_client, cases):
    response, sections = sections_of(handler_client)
    assert sections["new"].count == 3
    assert sections["mine"].count == 1  # the resolved one is not open
    assert sections["overdue"].count == 1  # housing's overdue cases are not theirs
    content = response.content.decode()
    assert 'id="palaute-dashboard-section"' in content
    for case in cases["new"]:
        assert case.reference in content
    assert cases["mine"][1].reference not in content


def test_each_section_links_to_the_inbox_showing_the_same_cases(handler_client, cases):
    response, sections = sections_of(handler_client)
    content = response.content.decode()
    for section in sections.values():
        assert section.url.replace("&", "&amp;") in content
        inbox = handler_client.get(section.url)
        assert inbox.status_code == 200
        assert inbox.context["paginator"].count == section.count, section.key
        assert not inbox.context["filters"].errors


def test_lists_are_short_and_link_to_the_rest(handler_client, streets):
    for _ in range(7):
        FeedbackFactory(category=streets)
    response, sections = sections_of(handler_client)
    assert sections["new"].count == 7
    assert len(sections["new"].cases) == 5
    assert "Show all 7 in the inbox" in response.content.decode()


def test_overdue_list_is_most_overdue_first_and_marked(handler_client, streets):
    now = timezone.now()
    later = FeedbackFactory(category=streets, due_at=now - timedelta(days=1))
    earliest = FeedbackFactory(category=streets, due_at=now - timedelta(days=5))
    response, sections = sections_of(handler_client)
    assert sections["overdue"].cases == [earliest, later]
    assert "palaute-due--overdue" in response.content.decode()


def test_superuser_sees_every_category(client, cases):
    client.force_login(in_english(UserFactory(username="boss", is_superuser=True)))
    _response, sections = sections_of(client)
    assert sections["new"].count == 7
    assert sections["overdue"].count == 5
    assert sections["mine"].count == 0


def test_no_panel_for_an_admin_user_who_handles_no_feedback(client, cases):
    editor = admin_user(username="editor")
    client.force_login(editor)
    response = client.get(reverse(HOME_URL))
    assert response.status_code == 200
    assert "sections" not in response.context
    assert 'id="palaute-dashboard-section"' not in response.content.decode()


def test_empty_sections_say_so(handler_client):
    response, sections = sections_of(handler_client)
    assert all(section.count == 0 for section in sections.values())
    assert response.content.decode().count("Nothing here.") == 4


def test_due_soon_section_counts_what_its_link_lists(handler_client, streets):
    now = timezone.now()
    soon = FeedbackFactory(category=streets, due_at=now + timedelta(hours=20))
    FeedbackFactory(category=streets, due_at=now + timedelta(days=10))
    FeedbackFactory(category=streets, due_at=now - timedelta(hours=1))  # overdue instead
    FeedbackFactory(category=streets, due_at=now + timedelta(hours=5),
                    first_response_at=now)  # answered: the clock has stopped
    response, sections = sections_of(handler_client)
    assert sections["due_soon"].count == 1
    assert [case.pk for case in sections["due_soon"].cases] == [soon.pk]
    listed = handler_client.get(sections["due_soon"].url)
    assert [case.pk for case in listed.context["object_list"]] == [soon.pk]


def test_query_count_does_not_grow_with_cases(handler_client, handler, streets):
    def home_queries():
        with CaptureQueriesContext(connection) as queries:
            assert handler_client.get(reverse(HOME_URL)).status_code == 200
        return len(queries)

    def add_cases(count):
        past = timezone.now() - timedelta(days=1)
        for number in range(count):
            FeedbackFactory(category=streets, due_at=past,
                            assignee=handler if number % 2 else None)

    add_cases(2)
    few = home_queries()
    add_cases(20)
    assert home_queries() == few


def test_the_dashboard_asks_nothing_of_wagtails_release_server(client, cases):
    """The update check would fetch releases.wagtail.org from the browser: the admin's
    CSP refuses it (console errors on every dashboard), and the admin reaches out nowhere."""
    client.force_login(in_english(UserFactory(username="boss", is_superuser=True)))
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert 'data-controller="w-upgrade' not in response.content.decode()
