"""The copies and indexes of migration 0012 (times in bench/scale.py, bench/RESULTS.md):
the public record's copy of the case's received time that the Open311 list filters,
orders and counts by, and the partial index of open, unanswered cases by due time
that the statistics' overdue count reads. PostgreSQL's use of both is checked in its
query plans (run with ``DATABASE_URL=postgres://...``)."""

from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Count, Q
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from palaute_plugin import actions
from palaute_plugin.models import Feedback, FeedbackQuerySet
from palaute_plugin.open311 import params
from palaute_plugin.open311.requests import filtered_publications
from palaute_plugin.publication.actions import draft_for
from palaute_plugin.publication.models import PUBLIC_Q, FeedbackPublication

from .factories import FeedbackFactory
from .open311_fixtures import API, case, publish_directly
from .publication_fixtures import approve, proposed

pytestmark = pytest.mark.django_db

PERF_MIGRATION = import_module("palaute_plugin.migrations.0014_perf")


def index_named(model, name):
    return next(index for index in model._meta.indexes if index.name == name)


# --- the received time on the public record ---------------------------------------------


def test_a_publication_copies_its_case_received_time(streets):
    received = timezone.now() - timedelta(days=40)
    reported = case(streets, days_ago=40)
    reported.created_at = received
    reported.save()
    assert draft_for(reported).received_at == received
    assert publish_directly(reported).received_at == received  # save() fills it


def test_the_workflow_keeps_the_received_time(workflow, handler, moderator, personal_case):
    publication = approve(proposed(personal_case, handler), moderator)
    assert publication.received_at == personal_case.created_at
    # An older revision published later cannot move it (it follows the case).
    revision = publication.save_revision(user=handler)
    FeedbackPublication.objects.filter(pk=publication.pk).update(
        received_at=personal_case.created_at - timedelta(days=3))
    publication.refresh_from_db()
    revision.publish(user=moderator)
    publication.refresh_from_db()
    assert publication.received_at == personal_case.created_at - timedelta(days=3)


def test_a_status_change_brings_a_corrected_received_time(handler, streets):
    reported = FeedbackFactory(category=streets)
    publication = publish_directly(reported)
    corrected = reported.created_at - timedelta(days=2)
    Feedback.objects.filter(pk=reported.pk).update(created_at=corrected)
    reported.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.resolve(reported, user=handler, message="Korjattu.")
    publication.refresh_from_db()
    assert (publication.received_at, publication.shown_status) == (
        corrected, Feedback.Status.RESOLVED)


def test_the_migration_copies_the_received_times(streets):
    publications = [publish_directly(case(streets, days_ago=days)) for days in (1, 50)]
    FeedbackPublication.objects.update(received_at=timezone.now())
    PERF_MIGRATION.copy_received_times(apps, None)
    for publication in publications:
        publication.refresh_from_db()
        assert publication.received_at == publication.feedback.created_at


def test_the_open311_list_and_its_count_do_not_join_the_cases(client, streets):
    inside, outside = case(streets, days_ago=5), case(streets, days_ago=95)
    for reported in (inside, outside):
        publish_directly(reported)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(API + "requests.json")
    assert response["X-Result-Count"] == "1"
    assert [item["service_request_id"] for item in response.json()] == [inside.reference]
    count = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert len(count) == 1
    assert "palaute_plugin_feedback\"" not in count[0]
    assert "received_at" in count[0]


# --- the indexes --------------------------------------------------------------------------


def test_the_public_records_index_is_of_what_is_public():
    index = index_named(FeedbackPublication, "palaute_pub_received")
    assert index.condition == PUBLIC_Q
    assert FeedbackPublication.objects.public().query.where == (
        FeedbackPublication.objects.filter(PUBLIC_Q).query.where)
    assert index.fields[0] == "received_at"


def test_the_unanswered_index_is_of_the_overdue_rule():
    index = index_named(Feedback, "palaute_feedback_unanswer_idx")
    rule = Q(status__in=tuple(Feedback.OPEN_STATUSES), first_response_at__isnull=True)
    assert index.condition == rule
    overdue = FeedbackQuerySet.overdue_q(timezone.now())
    assert set(rule.children) <= set(overdue.children)
    assert index.fields[0] == "due_at"


#: What each database's plan shows for the two counts (PostgreSQL without sequential
#: scans, so that it picks among its indexes by cost; SQLite picks by its own costs,
#: which on a near-empty table need not be the partial index of the unanswered cases).
PLAN_MARKERS = {
    "postgresql": {"open311": "palaute_pub_received", "overdue": "palaute_feedback_unanswer_idx",
                   "changed": "palaute_feedback_updated_idx"},
    # (SQLite reads the received times' index of a near-empty table.)
    "sqlite": {"open311": "palaute_pub_received", "overdue": "USING INDEX",
               "changed": "USING INDEX"},
}


def plan(queryset):
    sql, sql_params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", sql_params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", sql_params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_the_open311_count_of_a_window_reads_the_index(streets):
    publish_directly(case(streets))
    count = filtered_publications(params.request_query({})).order_by().values("pk")
    found = plan(count)
    assert PLAN_MARKERS[connection.vendor]["open311"] in found
    assert "palaute_plugin_feedback" not in found.replace("palaute_plugin_feedbackpublication", "")


def test_the_overdue_count_reads_the_index(streets):
    FeedbackFactory(category=streets)
    now = timezone.now()
    overdue = (Feedback.objects.filter(FeedbackQuerySet.overdue_q(now),
                                       category_id__in=[streets.pk],
                                       created_at__gte=now - timedelta(days=3650),
                                       created_at__lt=now)
               .values_list("category_id").annotate(n=Count("pk")).order_by())
    if connection.vendor == "postgresql":
        # On a near-empty table the planner picks among indexes by chance; with only this
        # index (and the constraints') left for the test's transaction, it must serve.
        keep_only_index("palaute_plugin_feedback", "palaute_feedback_unanswer_idx")
    assert PLAN_MARKERS[connection.vendor]["overdue"] in plan(overdue)


def test_the_statistics_refresh_finds_changed_cases_by_the_index(streets):
    from palaute_plugin.stats import aggregates

    received = sorted(case(streets, days_ago=days).created_at for days in (1, 40, 400))
    FeedbackFactory(category=streets)  # received today: not yet in the aggregate
    now = timezone.now()
    changed = aggregates.changed_cases(now - timedelta(minutes=25), now - timedelta(hours=1))
    assert sorted(changed) == received
    # Of the table's indexes (no sequential scan on PostgreSQL), the refresh's is chosen.
    assert PLAN_MARKERS[connection.vendor]["changed"] in plan(changed)
    assert index_named(Feedback, "palaute_feedback_updated_idx").fields == [
        "updated_at", "created_at"]  # the received time read from the index too


def test_the_maps_topic_filter_reads_that_topics_records_in_the_box(streets):
    """The GeoJSON of one topic reads its records in the box from the topic's index (with
    the box in it), not the box's records of every topic."""
    from palaute_plugin.public.published import GEOJSON_FIELDS, public_publications

    publish_directly(case(streets))
    in_box = (public_publications().filter(category=streets, latitude__gte=65.83,
                                           latitude__lte=65.87, longitude__gte=24.11,
                                           longitude__lte=24.19)
              .order_by().values_list(*GEOJSON_FIELDS)[:500])
    index = index_named(FeedbackPublication, "palaute_pub_category_box")
    assert index.condition == PUBLIC_Q
    assert index.fields == ["category", "latitude", "longitude"]
    if connection.vendor == "postgresql":
        keep_only_index("palaute_plugin_feedbackpublication",
                        {"palaute_pub_category_box", "palaute_pub_bbox"})
    found = plan(in_box)
    assert "palaute_pub_category_box" in found


def test_the_inbox_sorted_by_status_reads_its_index_in_order(streets):
    from palaute_plugin.staff.views import FeedbackIndexView

    FeedbackFactory(category=streets)
    page = Feedback.objects.order_by(*FeedbackIndexView.orderings["status"], "-pk")[:50]
    keep_only_index("palaute_plugin_feedback", "palaute_feedback_status_rank")
    found = plan(page.values("pk"))
    if connection.vendor == "postgresql":
        assert "palaute_feedback_status_rank" in found
        assert "Sort" not in found
    else:  # (see the sort by time left below)
        assert "USE TEMP B-TREE FOR ORDER BY" in found


def test_the_search_by_email_address_reads_its_index(streets):
    from palaute_plugin.staff.filters import search_q

    FeedbackFactory(category=streets, contact_email="asukas@example.com")
    found = Feedback.objects.filter(search_q("Asukas@Example.com")).values("pk")
    assert list(found) == list(Feedback.objects.values("pk"))
    keep_only_index("palaute_plugin_feedback", "palaute_feedback_email_idx")
    if connection.vendor == "postgresql":
        assert "palaute_feedback_email_idx" in plan(found)
    else:
        # SQLite matches an expression index only to the same literal (see below).
        assert "SCAN palaute_plugin_feedback" in plan(found)


def time_left_plan(ordering, index):
    """The plan of the inbox's first page in ``ordering`` with only ``index`` left (on a
    near-empty table the planner picks among indexes by chance: with both time-left
    indexes it took the descending one and sorted for the ascending order)."""
    from palaute_plugin.staff.views import FeedbackIndexView

    page = Feedback.objects.order_by(*FeedbackIndexView.orderings[ordering], "-pk")[:50]
    keep_only_index("palaute_plugin_feedback", index)
    return plan(page.values("pk"))


def test_the_inbox_sorted_by_time_left_reads_its_index_in_order(streets):
    """The ordering's expression is the index's own: the database walks the index instead
    of sorting every case (a million at scale) to show the first fifty."""
    FeedbackFactory(category=streets)
    found = time_left_plan("due_at", "palaute_feedback_time_left_idx")
    if connection.vendor == "postgresql":
        assert "palaute_feedback_time_left_idx" in found
        assert "Sort" not in found
    else:
        # SQLite matches an expression index only to the same literals, and Django binds
        # the expression's values as parameters: it sorts, as it does a town's cases.
        assert "USE TEMP B-TREE FOR ORDER BY" in found


def test_the_inbox_sorted_by_most_time_left_reads_its_own_index(streets):
    """Migration 0025's index, on PostgreSQL only (SQLite takes no NULLS LAST in one)."""
    FeedbackFactory(category=streets)
    found = time_left_plan("-due_at", "palaute_feedback_time_left_dsc")
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "palaute_plugin_feedback")
    if connection.vendor == "postgresql":
        assert "palaute_feedback_time_left_dsc" in indexes
        assert "palaute_feedback_time_left_dsc" in found
        assert "Sort" not in found
    else:
        assert "palaute_feedback_time_left_dsc" not in indexes
        assert "USE TEMP B-TREE FOR ORDER BY" in found


def keep_only_index(table, keep):
    """Drop the table's other plain indexes inside the test's transaction (rolled back).
    ``keep``: an index's name, or a set of names."""
    keep = {keep} if isinstance(keep, str) else set(keep)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # its DDL is transactional too
            cursor.execute(f'PRAGMA index_list("{table}")')
            for _seq, name, unique, origin, _partial in cursor.fetchall():
                if name not in keep and not unique and origin == "c":
                    cursor.execute(f'DROP INDEX "{name}"')
            return
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = %s AND NOT x.indisprimary AND NOT x.indisunique", [table])
        for (name,) in cursor.fetchall():
            if name not in keep:
                cursor.execute(f'DROP INDEX "{name}"')


# --- affected residents from the public records' received times --------------------------


def test_affected_residents_equal_a_direct_sum(handler, streets, housing):
    from palaute_plugin.stats import aggregates
    from palaute_plugin.stats.figures import Figures, Filters

    from .test_stats import superuser

    now = timezone.now()
    affected = {}
    for days, category, kind, count in ((3, streets, "feedback", 4), (20, housing, "question", 7),
                                        (400, streets, "feedback", 50)):
        reported = case(category, days_ago=days, kind=kind)
        publication = publish_directly(reported)
        FeedbackPublication.objects.filter(pk=publication.pk).update(affected_count=count)
        affected[reported.pk] = count
    FeedbackFactory(category=streets)  # no public record
    start, today = timezone.localdate(now) - timedelta(days=100), timezone.localdate(now)
    aggregates.refresh(now)  # the figure is read from the daily aggregate (tests/test_stats.py)

    def figure(user, **filters):
        return Figures(user, Filters(start=start, end=today, **filters), now=now).affected_residents

    assert figure(superuser()) == 4 + 7  # not the case of 400 days ago
    assert figure(superuser(), kind="question") == 7
    assert figure(superuser(), category=streets) == 4
    assert figure(handler) == 4  # the handler's categories only


# --- the public list's filters (migration 0015) ------------------------------------------

#: Each filter of the public list (``julkiset/``) and the partial index that serves it.
LIST_FILTER_INDEXES = {"status=new": "palaute_pub_status",
                       "category={category}": "palaute_pub_category",
                       "kind=proposal": "palaute_pub_kind"}


def plan_of_sql(sql):
    """The plan of a captured statement (its parameters already in it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row) for row in cursor.fetchall())


def test_the_list_filter_indexes_are_of_what_is_public():
    for name, field in (("palaute_pub_status", "shown_status"),
                        ("palaute_pub_category", "category"), ("palaute_pub_kind", "kind")):
        index = index_named(FeedbackPublication, name)
        assert index.condition == PUBLIC_Q
        assert index.fields == [field, "-first_published_at", "-id"]


@pytest.mark.parametrize("query, index", sorted(LIST_FILTER_INDEXES.items()))
def test_a_filtered_public_list_counts_and_pages_from_its_index(client, streets, query, index,
                                                                monkeypatch):
    from palaute_plugin.public import published

    from .factories import feedback_page

    for kind in ("feedback", "proposal", "proposal"):
        publication = publish_directly(case(streets))
        FeedbackPublication.objects.filter(pk=publication.pk).update(kind=kind)
    # Pages of one row, found by their ids from the second on (as far into the list).
    monkeypatch.setattr(published, "PAGE_SIZE", 1)
    monkeypatch.setattr(published.CappedPaginator, "DEFERRED_FROM", 1)
    url = feedback_page().url + "julkiset/?" + query.format(category=streets.pk)
    table = FeedbackPublication._meta.db_table
    statements = {}
    for number in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{url}&page={number}")
        assert response.status_code == 200
        [statements[number]] = [q["sql"] for q in captured if table in q["sql"]]
    # Page 1: its rows with the capped count, which reads no column the list shows,
    # in no order (any 10,000 count the same).
    capped = statements[1].split("SELECT COUNT(*) FROM (", 1)[1].split(") capped", 1)[0]
    assert "ORDER BY" not in capped and "feedbackcategory" not in capped
    assert "IN (SELECT" in statements[2]  # page 2: its ids first, then its rows
    # On a near-empty table the planner picks among indexes by cost; with only this
    # index (and the constraints') left for the test's transaction, it must serve.
    keep_only_index(table, index)
    for sql in statements.values():
        assert index in plan_of_sql(sql)


# --- the public list's dates: local days as ranges of the column -------------------------

HELSINKI = ZoneInfo("Europe/Helsinki")
#: The last Sundays of March and October 2026: 23 and 25 hours long in Helsinki.
SPRING_FORWARD, FALL_BACK = date(2026, 3, 29), date(2026, 10, 25)


def local(day, hour=0, minute=0, second=0, micro=0, fold=0):
    return datetime(day.year, day.month, day.day, hour, minute, second, micro,
                    tzinfo=HELSINKI, fold=fold)


def published_at(streets, *moments):
    """A public record published at each of ``moments``; their pks in that order."""
    pks = []
    for moment in moments:
        publication = publish_directly(case(streets))
        FeedbackPublication.objects.filter(pk=publication.pk).update(first_published_at=moment)
        pks.append(publication.pk)
    return pks


def date_filtered(**dates):
    from palaute_plugin.public.published import PublicationFilterForm

    form = PublicationFilterForm({name: day.isoformat() for name, day in dates.items()})
    assert form.is_valid(), form.errors
    return form.filter(FeedbackPublication.objects.public())


def test_the_start_of_a_local_day_is_its_helsinki_midnight_in_utc():
    from palaute_plugin.public.published import start_of_day

    # Winter time (UTC+2) before the spring's change, summer time (UTC+3) after it, and
    # back to winter time the day after the autumn's change.
    assert start_of_day(SPRING_FORWARD) == datetime(2026, 3, 28, 22, tzinfo=UTC)
    assert start_of_day(SPRING_FORWARD + timedelta(days=1)) == datetime(2026, 3, 29, 21,
                                                                        tzinfo=UTC)
    assert start_of_day(FALL_BACK) == datetime(2026, 10, 24, 21, tzinfo=UTC)
    assert start_of_day(FALL_BACK + timedelta(days=1)) == datetime(2026, 10, 25, 22, tzinfo=UTC)
    assert start_of_day(date.min) is None  # before the first instant: no lower bound


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK], ids=["march", "october"])
def test_a_day_of_a_clock_change_is_the_local_day_whole(streets, day):
    before, first, changed, repeated, last, after = published_at(
        streets, local(day) - timedelta(microseconds=1), local(day),
        local(day, 4, 30),  # after the change (in October: the first of the two 3:30s' hour)
        local(day, 3, 30, fold=1),  # October: the second 3:30 (March: 4:30 summer time)
        local(day, 23, 59, 59, 999_999), local(day + timedelta(days=1)))
    one_day = set(date_filtered(since=day, until=day).values_list("pk", flat=True))
    assert one_day == {first, changed, repeated, last}
    assert before not in one_day and after not in one_day
    # The same as the local dates of the publication times (what ``__date`` read).
    assert one_day == {pk for pk, moment in FeedbackPublication.objects.values_list(
        "pk", "first_published_at") if timezone.localtime(moment, HELSINKI).date() == day}
    assert set(date_filtered(since=day + timedelta(days=1)).values_list("pk", flat=True)) == {
        after}
    assert set(date_filtered(until=day - timedelta(days=1)).values_list("pk", flat=True)) == {
        before}


def test_until_includes_its_whole_last_day(client, streets):
    from .factories import feedback_page

    day = date(2026, 6, 15)
    published_at(streets, local(day, 23, 59, 59, 999_999), local(day + timedelta(days=1)),
                 local(day - timedelta(days=3), 12))
    references = dict(FeedbackPublication.objects.values_list("first_published_at",
                                                              "reference"))
    last_second = references[local(day, 23, 59, 59, 999_999)]
    next_midnight = references[local(day + timedelta(days=1))]
    earlier = references[local(day - timedelta(days=3), 12)]
    body = client.get(feedback_page().url + f"julkiset/?since=2026-06-12&until={day}").content
    assert last_second.encode() in body and earlier.encode() in body
    assert next_midnight.encode() not in body
    assert date_filtered(until=date.max).count() == 3  # no day after it: no upper bound


def test_the_date_filters_are_a_range_of_the_column_and_read_its_index(client, streets):
    from .factories import feedback_page

    published_at(streets, local(date(2026, 5, 4), 9), local(date(2026, 5, 20), 9))
    dated = date_filtered(since=date(2026, 5, 1), until=date(2026, 5, 10))
    assert dated.count() == 1
    sql = str(dated.query)
    # No cast of the column to a local date (PostgreSQL: AT TIME ZONE ...::date;
    # SQLite: django_datetime_cast_date(...)): the column compared as it is stored.
    assert "cast_date" not in sql and "AT TIME ZONE" not in sql and "::date" not in sql
    table = FeedbackPublication._meta.db_table
    with CaptureQueriesContext(connection) as captured:
        response = client.get(feedback_page().url
                              + "julkiset/?since=2026-05-01&until=2026-05-10")
    assert response.status_code == 200
    [statement] = [q["sql"] for q in captured if table in q["sql"]]
    # Of the table's indexes only those of the date column left for the test's
    # transaction, and no sequential scan on PostgreSQL: the dates bound an index range
    # (a cast to a local date could only be a filter over every row read).
    date_indexes = indexes_led_by(table, "first_published_at")
    assert "palaute_pub_list" in date_indexes  # (live, first_published_at)
    keep_only_index(table, date_indexes)
    found = plan_of_sql(statement)
    ranges = [line for line in found.splitlines() if DATE_RANGE_MARKERS[connection.vendor][0]
              in line and DATE_RANGE_MARKERS[connection.vendor][1] in line]
    # The page's rows and the capped count: both read a range of a date index.
    assert len(ranges) == 2, found


#: How each database's plan shows an index read over the dates' range: the line of the
#: index read, and the column bounded on both sides in it.
DATE_RANGE_MARKERS = {
    "postgresql": ("Index Cond:", "first_published_at >= '2026-04-30 21:00:00+00'::timestamp "
                   "with time zone) AND (first_published_at < '2026-05-10 21:00:00+00'"),
    "sqlite": ("INDEX", "first_published_at>? AND first_published_at<?"),
}


def indexes_led_by(table, column):
    """The table's indexes whose first column is ``column`` (or that follow ``live``)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name for name, found in constraints.items() if found["index"]
            and (found["columns"][:1] == [column] or found["columns"][:2] == ["live", column])}
