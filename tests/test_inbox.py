"""The inbox (staff/views.py FeedbackIndexView, staff/filters.py): columns, filters, search,
sorting and its query count. Its bulk actions are in test_bulk_actions.py."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from palaute_plugin.models import Feedback
from palaute_plugin.staff.viewsets import feedback_viewset
from palaute_plugin.workdays import add_working_days

from .admin_fixtures import add_photo
from .factories import CategoryFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

INDEX_URL = feedback_viewset.get_url_name("index")
Status = Feedback.Status


def listed(client, **params):
    response = client.get(reverse(INDEX_URL), params)
    assert response.status_code == 200
    return list(response.context["object_list"])


def references(cases):
    return sorted(case.reference for case in cases)


# --- columns ------------------------------------------------------------------------


def test_index_shows_age_and_due_markers(handler_client, streets):
    now = timezone.now()
    FeedbackFactory(category=streets, created_at=now - timedelta(days=3, hours=1))
    overdue = FeedbackFactory(category=streets, due_at=now - timedelta(hours=1))
    due_soon = FeedbackFactory(category=streets, due_at=now + timedelta(days=1))
    FeedbackFactory(category=streets, status=Status.RESOLVED, due_at=now - timedelta(days=1))
    content = handler_client.get(reverse(INDEX_URL)).content.decode()
    assert ">3\xa0days</time>" in content
    assert content.count("palaute-due--overdue") == 1  # not the resolved one
    assert content.count("palaute-due--soon") == 1
    assert "Overdue" in content and "Due soon" in content
    assert overdue.reference in content and due_soon.reference in content


def test_due_at_comes_from_the_categorys_expected_response_days(streets):
    case = FeedbackFactory(category=streets)
    assert case.due_at == add_working_days(case.created_at, 14)
    assert case.due_at >= case.created_at + timedelta(days=14 + 4)  # two weekends at least


def test_index_has_the_bulk_action_footer(handler_client, streets):
    case = FeedbackFactory(category=streets)
    content = handler_client.get(reverse(INDEX_URL)).content.decode()
    assert "data-bulk-action-footer" in content
    assert f'data-object-id="{case.pk}"' in content
    assert f'id="feedback_{case.pk}_title"' in content
    for action in ("assign", "change_status"):
        url = reverse("wagtail_bulk_action", args=["palaute_plugin", "feedback", action])
        assert url in content


# --- filters ------------------------------------------------------------------------


def test_status_filter_each_status_and_open_and_closed(handler_client, streets):
    cases = {status: FeedbackFactory(category=streets, status=status) for status in Status}
    for status, case in cases.items():
        assert listed(handler_client, status=status) == [case]
    open_cases = [cases[s] for s in Feedback.OPEN_STATUSES]
    closed_cases = [case for status, case in cases.items() if status not in Feedback.OPEN_STATUSES]
    assert references(listed(handler_client, status="all_open")) == references(open_cases)
    assert references(listed(handler_client, status="all_closed")) == references(closed_cases)


def test_category_filter_takes_a_group_with_its_categories(handler_client, handler, streets):
    lights = CategoryFactory(parent=streets, handler_group=streets.handler_group)
    in_group, in_child = FeedbackFactory(category=streets), FeedbackFactory(category=lights)
    assert references(listed(handler_client, category=streets.pk)) == references(
        [in_group, in_child])
    assert listed(handler_client, category=lights.pk) == [in_child]


def test_category_filter_refuses_a_category_the_user_cannot_see(
        handler_client, streets, housing):
    street_case, housing_case = FeedbackFactory(category=streets), FeedbackFactory(category=housing)
    response = handler_client.get(reverse(INDEX_URL), {"category": housing.pk})
    assert housing_case not in response.context["object_list"]
    assert list(response.context["filters"].form.fields["category"].queryset) == [streets]
    assert street_case.reference in response.content.decode()  # invalid filter: ignored


def test_kind_and_channel_filters(handler_client, streets):
    question = FeedbackFactory(category=streets, kind=Feedback.Kind.QUESTION)
    phoned = FeedbackFactory(category=streets, channel=Feedback.Channel.PHONE)
    FeedbackFactory(category=streets)
    assert listed(handler_client, kind="question") == [question]
    assert listed(handler_client, channel="phone") == [phoned]


def test_assignee_filter_me_unassigned_and_a_person(
        handler_client, handler, colleague, housing_handler, streets):
    mine = FeedbackFactory(category=streets, assignee=handler)
    theirs = FeedbackFactory(category=streets, assignee=colleague)
    nobodys = FeedbackFactory(category=streets)
    assert listed(handler_client, assignee="me") == [mine]
    assert listed(handler_client, assignee="unassigned") == [nobodys]
    assert listed(handler_client, assignee=colleague.pk) == [theirs]

    response = handler_client.get(reverse(INDEX_URL))
    with translation.override("en"):  # the labels are lazy: read them in English
        choices = {k: str(v) for k, v in
                   response.context["filters"].form.fields["assignee"].choices}
    assert choices["me"] == "Me" and choices["unassigned"] == "Unassigned"
    assert choices[str(colleague.pk)] == "Kalle Kollega"
    assert str(housing_handler.pk) not in choices  # handles nothing this user sees
    # ...and cannot be used to probe another category's cases
    response = handler_client.get(reverse(INDEX_URL), {"assignee": housing_handler.pk})
    assert "assignee" in response.context["filters"].errors


def test_received_date_range_filter(handler_client, streets):
    now = timezone.localtime()
    old = FeedbackFactory(category=streets, created_at=now - timedelta(days=30))
    recent = FeedbackFactory(category=streets, created_at=now - timedelta(days=2))
    today = FeedbackFactory(category=streets, created_at=now)
    day = (now - timedelta(days=3)).date().isoformat()
    assert references(listed(handler_client, received_from=day)) == references([recent, today])
    assert listed(handler_client, received_to=day) == [old]
    yesterday_but_one = (now - timedelta(days=2)).date().isoformat()
    assert listed(handler_client, received_from=yesterday_but_one,
                  received_to=yesterday_but_one) == [recent]


@pytest.mark.parametrize("language, message", [
    ("en", "The start date 12/05/2026 is after the end date 12/01/2026."),
    ("sv", "Startdatumet 2026-12-05 är efter slutdatumet 2026-12-01."),
])
def test_an_inverted_received_range_is_an_error_not_an_empty_list(
        client, handler, streets, language, message):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(handler)
    profile.preferred_language = language
    profile.save()
    client.force_login(handler)
    case = FeedbackFactory(category=streets)
    response = client.get(reverse(INDEX_URL), {"received_from": "2026-12-05",
                                               "received_to": "2026-12-01"})
    assert message in response.content.decode()  # in the filter's drilldown
    assert response.context["filters"].form.has_error("received", "inverted")
    assert list(response.context["object_list"]) == [case]  # the invalid filter is ignored


def test_a_received_range_of_one_day_still_filters(handler_client, streets):
    now = timezone.localtime()
    FeedbackFactory(category=streets, created_at=now - timedelta(days=2))
    today = FeedbackFactory(category=streets, created_at=now)
    day = now.date().isoformat()
    assert listed(handler_client, received_from=day, received_to=day) == [today]


def test_has_photos_filter(handler_client, streets):
    with_photo, without = FeedbackFactory(category=streets), FeedbackFactory(category=streets)
    add_photo(with_photo)
    add_photo(with_photo, 1)
    assert listed(handler_client, has_photos="true") == [with_photo]
    assert listed(handler_client, has_photos="false") == [without]


def test_overdue_filter(handler_client, streets):
    now = timezone.now()
    overdue = FeedbackFactory(category=streets, due_at=now - timedelta(days=1))
    on_time = FeedbackFactory(category=streets, due_at=now + timedelta(days=5))
    closed_late = FeedbackFactory(category=streets, status=Status.CLOSED,
                                  due_at=now - timedelta(days=1))
    assert listed(handler_client, overdue="true") == [overdue]
    assert references(listed(handler_client, overdue="false")) == references(
        [on_time, closed_late])


def test_filters_combine(handler_client, handler, streets):
    now = timezone.now()
    wanted = FeedbackFactory(category=streets, assignee=handler, due_at=now - timedelta(days=1))
    add_photo(wanted)
    FeedbackFactory(category=streets, assignee=handler, due_at=now - timedelta(days=1))
    FeedbackFactory(category=streets, due_at=now - timedelta(days=1))
    assert listed(handler_client, status="all_open", assignee="me", overdue="true",
                  has_photos="true") == [wanted]


def test_active_filters_read_as_words(handler_client, streets):
    FeedbackFactory(category=streets)
    response = handler_client.get(
        reverse(INDEX_URL), {"status": "all_open", "overdue": "true", "has_photos": "false"})
    with translation.override("en"):  # the labels are lazy
        active = {str(f.field_label): str(f.value) for f in response.context["view"].active_filters}
    assert active == {"Status": "All open", "Overdue": "Yes", "Has photos": "No"}


# --- search and sorting ---------------------------------------------------------------


def test_search_by_reference_message_and_address(handler_client, streets, housing):
    by_message = FeedbackFactory(category=streets, message="Kuoppa Lukiokadulla")
    by_address = FeedbackFactory(category=streets, address="Hallituskatu 5")
    other = FeedbackFactory(category=streets, message="Roskis täynnä")
    FeedbackFactory(category=housing, message="Kuoppa pihalla")  # not visible
    assert listed(handler_client, q="kuoppa") == [by_message]
    assert listed(handler_client, q="hallitusKATU") == [by_address]
    assert listed(handler_client, q=other.reference) == [other]


def test_search_finds_every_word_apart_in_any_field(handler_client, streets):
    """Each word is looked for on its own, in the message or the address."""
    both = FeedbackFactory(category=streets, message="Tie on auraamatta koko matkan keskustaan")
    split = FeedbackFactory(category=streets, message="Pyörätie auraamatta",
                            address="Keskustaan vievä tie")
    FeedbackFactory(category=streets, message="Tie on auraamatta")  # one word only
    assert references(listed(handler_client, q="auraamatta keskustaan")) == references(
        [both, split])
    assert listed(handler_client, q="  keskustaan   koko ") == [both]
    # A word too short for PostgreSQL's trigram index is left out beside longer ones.
    assert references(listed(handler_client, q="auraamatta ja keskustaan")) == references(
        [both, split])


def test_search_by_the_residents_email_address_finds_their_cases(
        handler_client, streets, housing):
    """A resident on the phone gives their address (acceptance test, 2026-12-03: nothing
    was found). Whole addresses, in any case of letters; never another category's."""
    first = FeedbackFactory(category=streets, contact_email="Asukas1@Example.com")
    second = FeedbackFactory(category=streets, contact_email="asukas1@example.com")
    FeedbackFactory(category=streets, contact_email="toinen.asukas1@example.com")
    FeedbackFactory(category=housing, contact_email="asukas1@example.com")  # not theirs
    FeedbackFactory(category=streets, message="Kirjoitin osoitteen asukas1@example.com")
    assert references(listed(handler_client, q=" asukas1@EXAMPLE.com ")) == references(
        [first, second])
    assert listed(handler_client, q="nobody@example.com") == []


def test_sort_by_age(handler_client, streets):
    now = timezone.now()
    cases = [FeedbackFactory(category=streets, created_at=now - timedelta(days=d))
             for d in (5, 1, 3)]
    newest_first = sorted(cases, key=lambda case: case.created_at, reverse=True)
    assert listed(handler_client) == newest_first
    assert listed(handler_client, ordering="-created_at") == newest_first
    assert listed(handler_client, ordering="created_at") == newest_first[::-1]


def test_sort_by_due_date_puts_cases_without_one_last(handler_client, streets):
    now = timezone.now()
    late = FeedbackFactory(category=streets, due_at=now + timedelta(days=9))
    soon = FeedbackFactory(category=streets, due_at=now + timedelta(days=1))
    none = FeedbackFactory(category=streets)
    Feedback.objects.filter(pk=none.pk).update(due_at=None)
    assert listed(handler_client, ordering="due_at") == [soon, late, none]
    assert listed(handler_client, ordering="-due_at") == [late, soon, none]


def test_sort_by_time_left_puts_the_running_clocks_first(handler_client, streets):
    """An answered case past its due time, or a closed one, is not urgent: the cases
    whose clock runs come first, the most urgent (latest) first, in either direction
    the stopped clocks after them."""
    now = timezone.now()
    answered_long_ago = FeedbackFactory(category=streets, status="in_progress",
                                        due_at=now - timedelta(days=30), first_response_at=now)
    closed = FeedbackFactory(category=streets, status="closed", due_at=now - timedelta(days=20))
    late = FeedbackFactory(category=streets, due_at=now - timedelta(days=2))
    soon = FeedbackFactory(category=streets, status="in_progress", due_at=now + timedelta(days=1))
    later = FeedbackFactory(category=streets, status="work_list", due_at=now + timedelta(days=9))
    assert listed(handler_client, ordering="due_at") == [late, soon, later,
                                                          answered_long_ago, closed]
    assert listed(handler_client, ordering="-due_at") == [later, soon, late,
                                                           closed, answered_long_ago]


def test_sort_by_status_follows_the_order_of_handling(handler_client, streets):
    """The codes' alphabetical order ("already known, closed, in progress, new...") looked
    random in every language (acceptance test, 2026-12-03)."""
    from palaute_plugin.models import STATUS_ORDER

    assert list(STATUS_ORDER) == list(Feedback.Status.values)
    cases = {status: FeedbackFactory(category=streets, status=status)
             for status in reversed(STATUS_ORDER)}
    second_new = FeedbackFactory(category=streets, status="new")
    in_order = [second_new, *(cases[status] for status in STATUS_ORDER)]
    assert listed(handler_client, ordering="status") == in_order
    assert listed(handler_client, ordering="-status") == [
        *(cases[status] for status in reversed(STATUS_ORDER[1:])), second_new, cases["new"]]


def test_unknown_ordering_falls_back_to_newest_first(handler_client, streets):
    now = timezone.now()
    old = FeedbackFactory(category=streets, created_at=now - timedelta(days=1))
    new = FeedbackFactory(category=streets, created_at=now)
    assert listed(handler_client, ordering="message") == [new, old]


# --- query count ------------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {},
    {"status": "all_open", "has_photos": "true", "kind": "feedback", "overdue": "false",
     "channel": "web", "received_from": "2000-01-01", "assignee": "me"},
    {"category": "STREETS", "assignee": "COLLEAGUE", "ordering": "due_at", "q": "Katuvalo"},
])
def test_query_count_does_not_grow_with_cases(
        handler_client, handler, colleague, streets, params):
    params = {key: {"STREETS": streets.pk, "COLLEAGUE": colleague.pk}.get(value, value)
              for key, value in params.items()}
    if "assignee" in params:  # every case matches: the numbers listed must grow too
        assignees = [handler] if params["assignee"] == "me" else [colleague]
    else:
        assignees = [handler, colleague, None]

    def add_cases(count):
        for number in range(count):
            case = FeedbackFactory(category=streets, assignee=assignees[number % len(assignees)])
            add_photo(case)

    def index_queries():
        with CaptureQueriesContext(connection) as queries:
            response = handler_client.get(reverse(INDEX_URL), params)
        assert response.status_code == 200
        return len(queries), len(response.context["object_list"])

    add_cases(3)
    few, listed_count = index_queries()
    assert listed_count == 3
    add_cases(27)
    many, listed_count = index_queries()
    assert listed_count == 30
    assert many == few


def test_due_column_tells_the_time_left_while_the_clock_runs(handler_client, streets):
    now = timezone.now()
    FeedbackFactory(category=streets, due_at=now + timedelta(days=3, hours=2))
    FeedbackFactory(category=streets, due_at=now - timedelta(days=2, hours=1))
    FeedbackFactory(category=streets, due_at=now + timedelta(days=5, hours=1),
                    first_response_at=now)  # answered: no clock
    content = handler_client.get(reverse(INDEX_URL), {"ordering": "due_at"}).content.decode()
    assert content.count('class="palaute-due__left"') == 2
    assert f"({calendar_days(now, now + timedelta(days=3, hours=2))}\xa0days left)" in content
    assert f"({calendar_days(now - timedelta(days=2, hours=1), now)}\xa0days late)" in content
    assert content.index("days late") < content.index("days left")  # sorted by time left


def calendar_days(earlier, later):
    return (timezone.localdate(later) - timezone.localdate(earlier)).days


def test_time_left_counts_calendar_days_as_staff_do():
    """Due on the 8th, on the 3rd in the morning: "5 days left", as staff count on a
    calendar; whole 24-hour periods said 4 (staff acceptance test, 2026-12-03)."""
    from datetime import datetime

    from django.utils import translation

    from palaute_plugin.staff.views import time_left

    translation.activate("en")
    zone = timezone.get_current_timezone()
    now = datetime(2026, 12, 3, 9, 0, tzinfo=zone)
    case = FeedbackFactory.build(status="new", due_at=datetime(2026, 12, 8, 8, 0, tzinfo=zone))
    assert time_left(case, now=now) == "5\xa0days left"
    case.due_at = datetime(2026, 12, 4, 8, 0, tzinfo=zone)  # under a day: in hours
    assert time_left(case, now=now) == "23\xa0hours left"
    case.due_at = datetime(2026, 11, 30, 16, 0, tzinfo=zone)
    assert time_left(case, now=now) == "3\xa0days late"


def test_time_left_is_told_in_days_not_rounded_to_weeks(handler_client, streets):
    """Django's own wording rounded 11 days down to "1 week" and 20 days to "2 weeks"."""
    now = timezone.now()
    FeedbackFactory(category=streets, due_at=now + timedelta(days=11, hours=3))
    FeedbackFactory(category=streets, due_at=now - timedelta(days=20, hours=3))
    FeedbackFactory(category=streets, due_at=now + timedelta(hours=5, minutes=10))
    content = handler_client.get(reverse(INDEX_URL), {"ordering": "due_at"}).content.decode()
    assert f"({calendar_days(now, now + timedelta(days=11, hours=3))}\xa0days left)" in content
    assert f"({calendar_days(now - timedelta(days=20, hours=3), now)}\xa0days late)" in content
    assert "(5\xa0hours left)" in content
    assert "week" not in content


def test_the_count_below_the_list_uses_the_languages_plural_forms(client, handler, streets):
    """Wagtail writes the count and the plural name: "4 palaute" on a Finnish screen."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(handler)
    profile.preferred_language = "fi"
    profile.save()
    client.force_login(handler)
    FeedbackFactory(category=streets)
    assert "1 palaute\n" in client.get(reverse(INDEX_URL)).content.decode()
    for _ in range(3):
        FeedbackFactory(category=streets)
    assert "4 palautetta\n" in client.get(reverse(INDEX_URL)).content.decode()
    profile.preferred_language = "sv"
    profile.save()
    assert "4 ärenden\n" in client.get(reverse(INDEX_URL)).content.decode()
