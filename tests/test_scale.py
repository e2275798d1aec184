"""What keeps the staff's lists flat at a million cases (issue 13; times in bench/scale.py):
the capped count and pages of the inbox, photos counted for the shown rows, the
reference prefix search, the group filter's resolved ids, the dashboard's open-only
counts and the indexes of migration 0003 (PostgreSQL's are checked in its query plans)."""

from importlib import import_module

import pytest
from django.db import connection
from django.db.models import Q
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from palaute_plugin.models import Feedback
from palaute_plugin.staff import filters
from palaute_plugin.staff.pagination import MAX_LISTED_CASES, MAX_SEARCHED_CASES
from palaute_plugin.staff.views import with_affected_count
from palaute_plugin.staff.viewsets import feedback_viewset

from .admin_fixtures import add_photo
from .factories import CategoryFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

INDEX_URL = feedback_viewset.get_url_name("index")
SCALE_MIGRATION = import_module("palaute_plugin.migrations.0006_scale")


def index(client, **params):
    response = client.get(reverse(INDEX_URL), params)
    assert response.status_code == 200
    return response


def listed(client, **params):
    return list(index(client, **params).context["object_list"])


@pytest.fixture
def cap_at_three(monkeypatch):
    monkeypatch.setattr(feedback_viewset.index_view_class, "max_listed_cases", 3)


# --- the capped count and pages ---------------------------------------------------------


def test_below_the_cap_the_count_is_exact_and_nothing_is_said(handler_client, streets,
                                                              cap_at_three):
    for _ in range(3):
        FeedbackFactory(category=streets)
    response = index(handler_client)
    assert response.context["paginator"].count == 3
    assert not response.context["listing_capped"]
    assert "palaute-listing-capped" not in response.content.decode()


def test_above_the_cap_the_list_stops_and_asks_to_refine(handler_client, streets,
                                                         cap_at_three):
    cases = [FeedbackFactory(category=streets) for _ in range(5)]
    response = index(handler_client)
    content = response.content.decode()
    assert response.context["listing_capped"]
    assert len(response.context["object_list"]) == 3
    assert "More than 3 cases match. Only the first 3 are listed" in content
    assert "More than 3 feedback" in content  # the pagination's label, not a count of 5
    newest_first = sorted(cases, key=lambda case: case.pk, reverse=True)
    assert response.context["object_list"] == newest_first[:3]


def test_a_page_beyond_the_cap_shows_the_last_listed_page(handler_client, streets,
                                                          monkeypatch):
    monkeypatch.setattr(feedback_viewset.index_view_class, "max_listed_cases", 4)
    monkeypatch.setattr(feedback_viewset.index_view_class, "paginate_by", 2)
    cases = sorted((FeedbackFactory(category=streets) for _ in range(7)),
                   key=lambda case: case.pk, reverse=True)
    response = index(handler_client, p=999)
    assert response.context["page_obj"].number == 2
    assert response.context["paginator"].num_pages == 2
    assert response.context["object_list"] == cases[2:4]
    assert "Only the first 4 are listed" in response.content.decode()


def test_photos_are_counted_for_the_shown_rows(handler_client, streets, monkeypatch):
    monkeypatch.setattr(feedback_viewset.index_view_class, "paginate_by", 2)
    old, middle, new = (FeedbackFactory(category=streets) for _ in range(3))
    add_photo(new)
    add_photo(new, sort_order=1)
    add_photo(old)
    first_page = listed(handler_client)
    assert [(case, case.photo_count) for case in first_page] == [(new, 2), (middle, 0)]
    assert [(case, case.photo_count) for case in listed(handler_client, p=2)] == [(old, 1)]


@pytest.mark.parametrize("ordering", ["-created_at", "reference", "-status", "due_at",
                                      "-affected_count"])
def test_a_page_skips_ids_and_reads_only_the_rows_shown(handler_client, streets, monkeypatch,
                                                         ordering):
    from datetime import timedelta

    from django.utils import timezone

    monkeypatch.setattr(feedback_viewset.index_view_class, "paginate_by", 2)
    now = timezone.now()
    statuses = ["new", "closed", "in_progress", "new", "closed"]
    for number, status in enumerate(statuses):
        FeedbackFactory(category=streets, status=status, created_at=now - timedelta(days=number),
                        due_at=now + timedelta(days=(number * 3) % 5))
    everything = listed(handler_client, ordering=ordering, p=1)
    with CaptureQueriesContext(connection) as queries:
        everything += listed(handler_client, ordering=ordering, p=2)
    # The ids are skipped and ordered; only the page's rows are read whole.
    skipping = [query["sql"] for query in queries if " OFFSET " in query["sql"]
                and 'FROM "palaute_plugin_feedback"' in query["sql"]]
    assert len(skipping) == 1
    selected = skipping[0].split(" FROM ")[0]
    assert '"message"' not in selected and '"contact_email"' not in selected
    everything += listed(handler_client, ordering=ordering, p=3)
    assert sorted(case.pk for case in everything) == sorted(
        Feedback.objects.values_list("pk", flat=True))
    view = feedback_viewset.index_view_class
    expected = with_affected_count(Feedback.objects.all()).order_by(
        *view.orderings.get(ordering, (ordering,)), "-pk")
    assert everything == list(expected)


def test_the_count_query_asks_for_one_row_more_than_the_cap(handler_client, streets):
    FeedbackFactory(category=streets)
    with CaptureQueriesContext(connection) as queries:
        index(handler_client)
    counts = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()
              and 'FROM "palaute_plugin_feedback"' in query["sql"]]
    assert len(counts) == 1
    assert f"LIMIT {MAX_LISTED_CASES + 1}" in counts[0]


def test_a_search_lists_fewer_matches_than_a_filter(handler_client, streets, monkeypatch):
    monkeypatch.setattr(feedback_viewset.index_view_class, "max_searched_cases", 2)
    for _ in range(3):
        FeedbackFactory(category=streets, message="Syvä kuoppa kadulla")
    searched = index(handler_client, q="kuoppa")
    assert searched.context["listing_capped"]
    assert len(searched.context["object_list"]) == 2
    assert "Only the first 2 are listed" in searched.content.decode()
    assert not index(handler_client).context["listing_capped"]
    assert MAX_SEARCHED_CASES < MAX_LISTED_CASES


# --- search -----------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "prefix", "expected"), [
    ("2026-00042", "", Q(reference__istartswith="2026-00042")),
    (" 2026-000 ", "", Q(reference__istartswith="2026-000")),
    ("2026-", "", Q(reference__istartswith="2026-")),
    ("tor-2026-00042", "TOR-", Q(reference__istartswith="TOR-2026-00042")
     | Q(reference__istartswith="2026-00042")),
    ("2026-00042", "TOR-", Q(reference__istartswith="TOR-2026-00042")
     | Q(reference__istartswith="2026-00042")),
    ("2026", "", None),
    ("kuoppa 2026-00042", "", None),
    ("Hallituskatu 5", "", None),
])
def test_reference_shaped_queries(settings, query, prefix, expected):
    settings.PALAUTE_REFERENCE_PREFIX = prefix
    assert filters.reference_q(query) == expected


def test_reference_search_finds_by_the_beginning_only(handler_client, streets):
    Feedback.objects.bulk_create([
        Feedback(reference=reference, category=streets, message="Viesti", due_at=None)
        for reference in ("2026-00042", "2026-00420", "2025-00042")
    ])
    cases = {case.reference: case for case in Feedback.objects.all()}
    assert listed(handler_client, q="2026-00042") == [cases["2026-00042"]]
    assert sorted(case.reference for case in listed(handler_client, q="2026-004")) == [
        "2026-00420"]
    assert sorted(case.reference for case in listed(handler_client, q="2026-")) == [
        "2026-00042", "2026-00420"]
    # Not reference-shaped: a substring of the reference, message or address, as before.
    assert sorted(case.reference for case in listed(handler_client, q="00042")) == [
        "2025-00042", "2026-00042"]


def test_reference_search_with_a_prefix_typed_or_not_in_any_case(settings, handler_client,
                                                                 streets):
    settings.PALAUTE_REFERENCE_PREFIX = "TOR-"
    case = FeedbackFactory(category=streets)
    assert case.reference.startswith("TOR-")
    number = case.reference.removeprefix("TOR-")
    assert listed(handler_client, q=case.reference.lower()) == [case]
    assert listed(handler_client, q=number) == [case]


def test_bulk_select_all_uses_the_same_search(handler, streets):
    wanted = FeedbackFactory(category=streets)
    FeedbackFactory(category=streets)
    request = RequestFactory().get("/", {"q": wanted.reference})
    request.user = handler
    assert list(filters.filter_listing(Feedback.objects.all(), request)) == [wanted]


# --- the group filter and the dashboard --------------------------------------------------


def test_group_filter_resolves_the_group_to_ids_first(handler_client, streets):
    group = CategoryFactory(name_fi="Liikenne", handler_group=streets.handler_group)
    child = CategoryFactory(name_fi="Pysäköinti", parent=group,
                            handler_group=streets.handler_group)
    cases = [FeedbackFactory(category=category) for category in (group, child)]
    FeedbackFactory(category=streets)
    with CaptureQueriesContext(connection) as queries:
        found = listed(handler_client, category=group.pk)
    assert sorted(case.pk for case in found) == sorted(case.pk for case in cases)
    listing = [query["sql"] for query in queries
               if query["sql"].lstrip().upper().startswith("SELECT")
               and '"palaute_plugin_feedback"."message"' in query["sql"]]
    assert len(listing) == 1
    assert '"category_id" IN (' in listing[0]
    assert f'"parent_id" = {group.pk}' not in listing[0]  # the old OR across the join


def test_dashboard_counts_read_open_cases_only(handler_client, handler, streets):
    FeedbackFactory(category=streets, status=Feedback.Status.NEW)
    FeedbackFactory(category=streets, status=Feedback.Status.RESOLVED, assignee=handler)
    with CaptureQueriesContext(connection) as queries:
        response = handler_client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    aggregate = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()
                 and "FILTER" in query["sql"].upper()]
    assert len(aggregate) == 1
    where = aggregate[0].split(" FROM ", 1)[1]
    assert "IN ('new', 'in_progress', 'work_list')" in where


# --- indexes ------------------------------------------------------------------------------


def test_open_cases_index_is_of_the_open_statuses():
    index = next(index for index in Feedback._meta.indexes
                 if index.name == "palaute_feedback_open_idx")
    assert index.condition == Q(status__in=tuple(Feedback.OPEN_STATUSES))


def feedback_indexes():
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, Feedback._meta.db_table))


def test_search_indexes_are_made_on_postgresql_only():
    names = {name for name, _expression, _method in SCALE_MIGRATION.POSTGRESQL_INDEXES}
    expected = {"postgresql": names}.get(connection.vendor, set())
    assert feedback_indexes() & names == expected
    assert "palaute_feedback_open_idx" in feedback_indexes()


#: What each database's query plan shows for the inbox's searches with scans turned off
#: (PostgreSQL: the ORM's SQL matches the indexes' expressions; SQLite scans).
PLAN_MARKERS = {
    "postgresql": {"reference": "palaute_feedback_ref_prefix_idx",
                   "text": "palaute_feedback_msg_trgm_idx"},
    "sqlite": {"reference": "SCAN", "text": "SCAN"},
}


@pytest.mark.parametrize(("kind", "query"), [("reference", "2026-00042"), ("text", "kuoppa")])
def test_search_query_plan(streets, kind, query):
    FeedbackFactory(category=streets)
    queryset = Feedback.objects.filter(filters.search_q(query)).order_by()
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert PLAN_MARKERS[connection.vendor][kind] in plan


def test_the_filters_results_fragment_says_so_too(handler_client, streets, cap_at_three):
    for _ in range(4):
        FeedbackFactory(category=streets)
    response = handler_client.get(reverse(feedback_viewset.get_url_name("index_results")),
                                  {"status": "new"})
    assert response.status_code == 200
    assert "Only the first 3 are listed" in response.content.decode()
    assert len(response.context["object_list"]) == 3
