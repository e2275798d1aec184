"""Statistics: the daily aggregate against a direct count of generated cases, the
percentiles, the filters' bad input, the report's scoping and its exports."""

import csv
import io
import math
import random
import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from palaute_plugin import tasks
from palaute_plugin.models import Feedback
from palaute_plugin.stats import aggregates
from palaute_plugin.stats.figures import (
    MOST_WARMED,
    RENEW_SECONDS,
    REPORTS_KEY,
    SEEN_SECONDS,
    TOP_PLACES,
    WARM_SECONDS,
    Figures,
    Filters,
    percentile,
    period_start,
    periods_between,
    seen_key,
    warm_reports,
)
from palaute_plugin.stats.forms import StatisticsFilterForm, twelve_months_before
from palaute_plugin.stats.models import CaseDayStat, DurationDayStat, PlaceDayStat

from .admin_fixtures import admin_user, assert_sent_to_login, handled_category, handler_of
from .factories import CategoryFactory, FeedbackFactory, UserFactory

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/palaute-tilastot/"
CASES = "/admin/reports/palaute-tilastot/tapaukset/"
#: Wagtail's admin page (session, user, its menus and profile) and the report's own:
#: the scope, the aggregate's state, today's cases (with their public records'
#: affected residents) and overdue; the stored days' sums, the affected residents
#: among them, come from the cache. Measured: 12.
REPORT_MAX_QUERIES = 12
#: The first request after a refresh also adds up the stored days (whole months from the
#: roll-up, the partial months by day, in one query each): the breakdowns (the affected
#: residents with them), the handling times, the backlog and the places. Measured: 16.
REPORT_MAX_QUERIES_COLD = 16
KINDS = [value for value, _label in Feedback.Kind.choices]
CHANNELS = ["web", "phone", "email", "service_point"]
STATUSES = [value for value, _label in Feedback.Status.choices]


@pytest.fixture
def aggregated(generated, now, django_capture_on_commit_callbacks):
    """``generated``'s cases in the aggregate, the refresh's commit callbacks run (the
    versions the report's cache names are bumped)."""
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.refresh(now)


def local(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def superuser():
    return admin_user(username="tilastot_admin", is_superuser=True)


@pytest.fixture
def now():
    # Noon, so that "today" has cases before now and the clock is not near midnight;
    # never so early that the real clock, which stamps rows saved by the tests
    # (auto_now, created_at), falls within the refresh's CHANGE_MARGIN before "now".
    # After noon, tomorrow's: "an hour later" must be the same day (at 23.30 it was the next
    # day, and a refresh rebuilt two days: a failure between 22 and 24 local time).
    noon = local(timezone.localdate(), 12)
    if timezone.now() + aggregates.CHANGE_MARGIN + timedelta(minutes=5) > noon:
        noon = local(timezone.localdate() + timedelta(days=1), 12)
    return noon


@pytest.fixture
def generated(now, streets, housing):
    """About 300 cases over five months: a group with two categories, and two lone ones."""
    rng = random.Random(12)
    # Today's cases fall between midnight and now, whatever the time of day.
    today_minutes = int((now - local(timezone.localdate(now), 0)).total_seconds() // 60)
    group = handled_category("Traffic group", name_en="Traffic", name_fi="Liikenne")
    roads = CategoryFactory(parent=group, handler_group=group.handler_group, name_en="Roads",
                            expected_response_days=3)
    parking = CategoryFactory(parent=group, handler_group=group.handler_group,
                              name_en="Parking", expected_response_days=7)
    categories = [streets, housing, roads, parking, group]
    for number in range(300):
        # The first ten today (counted live), the rest over five months.
        span = max(2, min(11 * 60, today_minutes)) if number < 10 else 150 * 24 * 60
        created = now - timedelta(minutes=rng.randrange(1, span))
        status = rng.choice(STATUSES)
        responded = rng.random() < 0.7
        first = created + timedelta(minutes=rng.randrange(5, 30 * 24 * 60)) if responded else None
        first = min(first, now - timedelta(minutes=1)) if first else None
        closed = None
        if status not in Feedback.OPEN_STATUSES:
            closed = min(now - timedelta(minutes=1),
                         created + timedelta(minutes=rng.randrange(1, 60 * 24 * 60)))
        located = rng.random() < 0.6
        FeedbackFactory(
            category=rng.choice(categories), kind=rng.choice(KINDS),
            channel=rng.choice(CHANNELS), status=status, created_at=created,
            first_response_at=first, closed_at=closed,
            latitude=65.84 + rng.randrange(0, 6) * 0.002 if located else None,
            longitude=24.14 + rng.randrange(0, 4) * 0.004 if located else None,
            message=f"Palaute {number}")
    return {"group": group, "roads": roads, "parking": parking, "categories": categories}


def direct_cases(start, end):
    lower, upper = aggregates.day_bounds(start, end)
    return list(Feedback.objects.filter(created_at__gte=lower, created_at__lt=upper))


def direct_bucket_percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


# -- unit: buckets and percentiles --------------------------------------------------


def test_duration_buckets_are_hours_then_whole_days():
    assert aggregates.duration_bucket(timedelta(0)) == 0
    assert aggregates.duration_bucket(timedelta(minutes=1)) == 1
    assert aggregates.duration_bucket(timedelta(hours=48)) == 48
    assert aggregates.duration_bucket(timedelta(hours=48, minutes=1)) == 72
    assert aggregates.duration_bucket(timedelta(days=14)) == 14 * 24
    assert aggregates.duration_bucket(timedelta(days=14, seconds=1)) == 15 * 24


def test_nearest_rank_percentiles():
    values = Counter(range(1, 11))
    assert percentile(values, 50) == 5
    assert percentile(values, 90) == 9
    assert percentile(values, 100) == 10
    assert percentile(Counter({3: 1}), 90) == 3
    assert percentile(Counter(), 50) is None
    # Weighted: nine cases of 1 hour and one of 100 hours.
    assert percentile(Counter({1: 9, 100: 1}), 90) == 1
    assert percentile(Counter({1: 8, 100: 2}), 90) == 100


def test_periods_between_weeks_months_years():
    day = timezone.localdate().replace(year=2026, month=3, day=4)  # a Wednesday
    assert period_start(day, "week").isoformat() == "2026-03-02"
    months = periods_between(day.replace(month=1, day=31), day, "month")
    assert [start.month for start in months] == [1, 2, 3]
    assert [start.year for start in periods_between(day.replace(year=2024), day, "year")] == [
        2024, 2025, 2026]


def test_spans_split_days_into_consecutive_runs():
    day = timezone.localdate()
    days = {day, day + timedelta(days=1), day + timedelta(days=5)}
    assert aggregates.spans(days) == [(day, day + timedelta(days=1)),
                                      (day + timedelta(days=5), day + timedelta(days=5))]
    assert len(aggregates.spans({day + timedelta(days=n) for n in range(40)}, longest=31)) == 2


# -- the aggregate against a direct count -------------------------------------------


def test_aggregate_and_live_figures_equal_a_direct_count(generated, now):
    aggregates.refresh(now)
    today = timezone.localdate(now)
    start = today - timedelta(days=160)
    figures = Figures(superuser(), Filters(start=start, end=today, period="month"), now=now)
    cases = direct_cases(start, today)
    assert any(timezone.localdate(case.created_at) == today for case in cases)
    assert figures.total == len(cases)

    for dimension in ("kind", "channel", "status"):
        _series, table = figures.breakdown(dimension)
        expected = Counter((period_start(timezone.localdate(case.created_at), "month"),
                            getattr(case, dimension)) for case in cases)
        assert dict(table) == dict(expected), dimension
    _series, groups = figures.breakdown("group")
    expected_groups = Counter(
        (period_start(timezone.localdate(case.created_at), "month"),
         case.category.parent_id or case.category_id) for case in cases)
    assert dict(groups) == dict(expected_groups)

    by_category = {category.pk: count for category, count, is_group in figures.by_category()
                   if not is_group}
    group = generated["group"]
    group_total = dict((c.pk, n) for c, n, is_group in figures.by_category() if is_group)
    assert group_total[group.pk] == sum(
        1 for case in cases if group.pk in (case.category_id, case.category.parent_id))
    assert by_category[generated["roads"].pk] == sum(
        1 for case in cases if case.category_id == generated["roads"].pk)


def test_handling_time_percentiles_equal_a_direct_computation(generated, now):
    aggregates.refresh(now)
    today = timezone.localdate(now)
    start = today - timedelta(days=160)
    figures = Figures(superuser(), Filters(start=start, end=today), now=now)
    cases = direct_cases(start, today)
    rows = {row.label: row for row in figures.handling_times}
    group = generated["group"]
    for category in generated["categories"]:
        # A group's row counts its subcategories' cases too, as in the cases by category.
        mine = [case for case in cases
                if category.pk in {case.category_id, case.category.parent_id}]
        first = [aggregates.duration_bucket(case.first_response_at - case.created_at)
                 for case in mine if case.first_response_at]
        closing = [aggregates.duration_bucket(case.closed_at - case.created_at) for case in mine
                   if case.closed_at and case.status != "rejected"
                   and case.status not in Feedback.OPEN_STATUSES]
        row = rows[str(category)]
        assert row.count("first_response") == len(first)
        assert row.median_days("first_response") == round(
            direct_bucket_percentile(first, 50) / 24, 1)
        assert row.p90_days("first_response") == round(direct_bucket_percentile(first, 90) / 24, 1)
        assert row.p90_days("closing") == round(direct_bucket_percentile(closing, 90) / 24, 1)
        # By the due time, which counts working days (holidays and weekends skipped).
        answered = [case for case in mine if case.first_response_at]
        within = sum(1 for case in answered if case.first_response_at <= case.due_at)
        assert row.share_within_expected("first_response") == round(
            100 * within / len(answered))
        done = [case for case in mine if case.closed_at and case.status != "rejected"
                and case.status not in Feedback.OPEN_STATUSES]
        assert row.share_within_expected("closing") == round(
            100 * sum(1 for case in done if case.closed_at <= case.due_at) / len(done))
        # The group's subcategories expect different times: none is the group's.
        expected_days = None if category == group else category.expected_response_days
        assert row.expected_days == expected_days
    labels = [row.label for row in figures.handling_times]
    children = sorted([generated["roads"], generated["parking"]], key=lambda c: c.name)
    assert labels[labels.index(str(group)):][:3] == [str(group), *map(str, children)]
    assert labels[-1] == ""


def test_answered_within_the_expected_time_counts_working_days(streets):
    """Three working days from a Friday afternoon end on Wednesday: an answer on Wednesday
    morning is on time (five calendar days: it was late by the hours)."""
    streets.expected_response_days = 3
    streets.save()
    friday = local(date(2026, 3, 6), 15)
    case = FeedbackFactory(category=streets, created_at=friday,
                           first_response_at=local(date(2026, 3, 11), 9))
    late = FeedbackFactory(category=streets, created_at=friday,
                           first_response_at=local(date(2026, 3, 12), 9))
    assert timezone.localdate(case.due_at) == date(2026, 3, 11)
    now = local(date(2026, 3, 20), 12)
    aggregates.refresh(now)
    figures = Figures(superuser(), Filters(start=date(2026, 3, 1), end=date(2026, 3, 20)),
                      now=now)
    row = {row.label: row for row in figures.handling_times}[str(streets)]
    assert row.count("first_response") == 2
    assert row.share_within_expected("first_response") == 50
    assert late.due_at < late.first_response_at


def test_backlog_overdue_and_places_equal_a_direct_count(generated, now):
    aggregates.refresh(now)
    today = timezone.localdate(now)
    start = (today - timedelta(days=100)).replace(day=1)
    figures = Figures(superuser(), Filters(start=start, end=today), now=now)
    everything = list(Feedback.objects.all())
    for month, open_count in figures.backlog:
        month_end = min(now, aggregates.day_bounds(
            month, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1))[1])
        expected = sum(1 for case in everything if case.created_at < month_end and (
            case.status in Feedback.OPEN_STATUSES or case.closed_at >= month_end))
        assert open_count == expected, month
    in_range = direct_cases(start, today)
    overdue = Counter(case.category_id for case in in_range if case.due_state(now) == "overdue")
    assert {category.pk: n for category, n in figures.overdue} == dict(overdue)
    assert sum(overdue.values()) > 0
    cells = Counter(aggregates.place_cell(case.latitude, case.longitude)
                    for case in in_range if case.latitude is not None)
    assert len(cells) > TOP_PLACES
    assert len(figures.places) == TOP_PLACES
    for latitude, longitude, n in figures.places:  # each place's count is right...
        assert cells[aggregates.place_cell(latitude, longitude)] == n
    # ...and they are the busiest (ties may be either way round)
    assert [n for *_place, n in figures.places] == sorted(cells.values(), reverse=True)[:20]


def test_filters_narrow_the_figures(generated, now):
    aggregates.refresh(now)
    today = timezone.localdate(now)
    start = today - timedelta(days=160)
    group = generated["group"]
    figures = Figures(superuser(), Filters(start=start, end=today, category=group, kind="question",
                                           channel="phone"), now=now)
    expected = [case for case in direct_cases(start, today)
                if group.pk in (case.category_id, case.category.parent_id)
                and case.kind == "question" and case.channel == "phone"]
    assert figures.total == len(expected)
    assert len(expected) > 0


def test_refresh_rebuilds_changed_days_and_is_idempotent(generated, now):
    assert aggregates.refresh(now) > 100  # the first run builds every day
    rows = (CaseDayStat.objects.count(), DurationDayStat.objects.count(),
            PlaceDayStat.objects.count())
    assert aggregates.refresh(now) == 0
    assert (CaseDayStat.objects.count(), DurationDayStat.objects.count(),
            PlaceDayStat.objects.count()) == rows
    # A handler closes an old case an hour later: its day is counted again.
    case = Feedback.objects.filter(status="new", created_at__lt=now - timedelta(days=30)).first()
    later = now + timedelta(hours=1)
    Feedback.objects.filter(pk=case.pk).update(status="resolved", closed_at=later,
                                               updated_at=later)
    assert aggregates.refresh(later) == 1
    day = timezone.localdate(case.created_at)
    assert CaseDayStat.objects.filter(day=day, status="resolved").exists()
    figures = Figures(superuser(), Filters(start=day, end=day), now=later)
    _series, table = figures.breakdown("status")
    assert table[period_start(day, "month"), "resolved"] == sum(
        1 for c in direct_cases(day, day) if c.status == "resolved")


def test_refresh_catches_up_days_missed_while_the_cluster_was_down(generated, now):
    Feedback.objects.update(updated_at=now - timedelta(days=4))
    aggregates.refresh(now - timedelta(days=3))
    assert not CaseDayStat.objects.filter(day=timezone.localdate(now) - timedelta(days=1)).exists()
    assert aggregates.refresh(now) == 3
    assert CaseDayStat.objects.filter(day=timezone.localdate(now) - timedelta(days=1)).exists()


def test_the_schedule_is_registered():
    assert tasks.SCHEDULES["palaute_plugin.tasks.refresh_statistics"][1] == 15
    assert tasks.refresh_statistics() == 0  # no cases, nothing to build


# -- filters: bad input ------------------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def form(data, user=None):
    return StatisticsFilterForm(data, user=user or superuser(),
                                today=timezone.localdate().replace(year=2026, month=6, day=15))


@pytest.mark.parametrize("language, message", [
    ("en", "The start date 05/01/2026 is after the end date 04/01/2026."),
    ("sv", "Startdatumet 2026-05-01 är efter slutdatumet 2026-04-01."),
    ("fi", "Alkupäivä 1.5.2026 on loppupäivän 1.4.2026 jälkeen."),
])
def test_inverted_range_is_a_clear_error_with_dates_in_the_language(language, message):
    with translation.override(language):
        bound = form({"start": "2026-05-01", "end": "2026-04-01"})
        assert not bound.is_valid()
        assert bound.non_field_errors() == [message]


def test_range_without_a_start_is_capped_and_said_so(english):
    bound = form({"end": "2026-04-10", "period": "year"})
    assert bound.is_valid()
    assert bound.filters().start.isoformat() == "2016-04-01"
    assert str(bound.notes[0]) == ("The range had no start: it starts on 04/01/2016 (at most "
                                   "10 years or 120 periods before its end).")


@pytest.mark.parametrize("period, start", [("month", "2016-05-01"), ("week", "2023-12-25")])
def test_range_without_a_start_fits_the_charts_bars_of_its_period(english, period, start):
    """Ten years are 121 months or 523 weeks: the start moves up to 120 of them, as the
    note says, instead of the too-many-periods error for a range nobody chose."""
    bound = form({"end": "2026-04-10", "period": period})
    assert bound.is_valid(), bound.errors
    assert bound.filters().start.isoformat() == start
    assert bound.filters().end.isoformat() == "2026-04-10"
    assert str(bound.notes[0]).startswith(f"The range had no start: it starts on {start[5:7]}/")


def test_empty_range_is_the_last_twelve_months():
    bound = form({})
    assert bound.is_valid()
    assert (bound.filters().start.isoformat(), bound.filters().end.isoformat()) == (
        "2025-07-01", "2026-06-15")


def test_too_many_weeks_and_far_dates_are_refused(english):
    assert "more than 120 periods" in str(form(
        {"start": "2020-01-01", "end": "2026-01-01", "period": "week"}).non_field_errors())
    assert "year 2000" in str(form({"start": "1900-01-01"}).non_field_errors())
    assert form({"start": "eilen"}).has_error("start", "invalid")


# -- the report and its exports: scoping ---------------------------------------------


def csv_rows(response):
    """The rows of a CSV export, which starts with a byte order mark (for Excel)."""
    content = b"".join(response.streaming_content).decode()
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def test_the_reports_total_uses_the_languages_plural_forms(client, handler, streets):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(handler)
    profile.preferred_language = "sv"
    profile.save()
    FeedbackFactory(category=streets)
    client.force_login(handler)
    html = client.get(REPORT).content.decode()
    assert re.search(r"\b1 ärende kom in", html)


def test_report_is_under_the_reports_menu_for_handlers(client, handler):
    client.force_login(handler)
    assert REPORT in client.get(reverse("wagtailadmin_home")).content.decode()
    nobody = admin_user(username="no_categories")
    client.force_login(nobody)
    assert REPORT not in client.get(reverse("wagtailadmin_home")).content.decode()
    for url in (REPORT, CASES + "?export=csv"):  # Wagtail: "no permission" on the dashboard
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))


def test_anonymous_is_sent_to_login(client):
    assert_sent_to_login(client.get(REPORT))
    assert_sent_to_login(client.get(CASES + "?export=csv"))


def test_handler_sees_only_their_categories(client, handler, street_case, housing_case):
    client.force_login(handler)
    response = client.get(REPORT)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Street lighting" in html
    assert "Housing" not in html
    assert response.context["figures"].total == 1


def test_handler_filtering_another_category_is_refused(client, handler, housing):
    client.force_login(handler)
    response = client.get(REPORT, {"category": housing.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert response.context.get("figures") is None
    for url in (REPORT, CASES):
        refused = client.get(url, {"category": housing.pk, "export": "csv", "kind": "question"})
        # Back to the report with the same filters, which says what is wrong.
        assert refused.status_code == 302
        assert refused["Location"] == f"{REPORT}?category={housing.pk}&kind=question"
        shown = client.get(refused["Location"])
        assert "Select a valid choice" in shown.content.decode()
        assert shown.context.get("figures") is None


@pytest.mark.parametrize("export", [None, "pdf"])
def test_the_cases_download_without_a_format_goes_back_to_the_report(client, handler, export):
    client.force_login(handler)
    params = {"kind": "question"} | ({"export": export} if export else {})
    response = client.get(CASES, params)
    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}?kind=question"


def test_administrator_sees_every_category(client, street_case, housing_case):
    client.force_login(superuser())
    response = client.get(REPORT)
    assert response.context["figures"].total == 2
    assert "Housing" in response.content.decode()


def test_cases_export_holds_only_the_handlers_cases(client, handler, street_case, housing_case):
    client.force_login(handler)
    response = client.get(CASES, {"export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    references = [row[0] for row in rows[1:]]
    assert references == [street_case.reference]
    assert "asukas@example.com" in rows[1]  # their own case: contact data included
    record = dict(zip(rows[0], rows[1], strict=True))
    # Kind, channel and status as the figures' export and the inbox write them.
    assert (record["Kind"], record["Channel"], record["Status"]) == ("Feedback", "Web form", "New")


def test_statistics_viewer_gets_cases_without_personal_data(client, street_case, housing_case):
    viewer = admin_user(username="manager")
    viewer.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    client.force_login(viewer)
    assert client.get(REPORT).context["figures"].total == 2
    rows = csv_rows(client.get(CASES, {"export": "csv"}))
    header = rows[0]
    assert len(rows) == 3
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        assert record["Email"] == ""
        assert record["Message"] == ""
        assert record["Category"] != ""


def test_cases_export_coarsens_the_place_of_cases_the_user_may_not_handle(
        client, handler, streets, housing):
    """A holder of the statistics permission who handles street lighting gets that
    case's exact place and address, and the housing case's place to three decimals
    (about 100 m) and no address."""
    handler.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    own = FeedbackFactory(category=streets, latitude=65.846312, longitude=24.144087,
                          address="Hallituskatu 7")
    other = FeedbackFactory(category=housing, latitude=65.851749, longitude=24.152561,
                            address="Kirkkokatu 12 A 3")
    unplaced = FeedbackFactory(category=housing, latitude=None, longitude=None)
    client.force_login(handler)
    rows = csv_rows(client.get(CASES, {"export": "csv"}))
    exported = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert (exported[own.reference]["Latitude"], exported[own.reference]["Longitude"]) == (
        "65.846312", "24.144087")
    assert (exported[other.reference]["Latitude"], exported[other.reference]["Longitude"]) == (
        "65.852", "24.153")
    assert (exported[unplaced.reference]["Latitude"],
            exported[unplaced.reference]["Longitude"]) == ("", "")
    # The street address of the case the user may not handle is left out with the message.
    assert exported[own.reference]["Address or place"] == "Hallituskatu 7"
    assert exported[other.reference]["Address or place"] == ""
    response = client.get(CASES, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in next(sheet.iter_rows())]
    places = {row[0].value: (row[header.index("Latitude")].value,
                             row[header.index("Longitude")].value)
              for row in sheet.iter_rows(min_row=2)}
    addresses = {row[0].value: row[header.index("Address or place")].value
                 for row in sheet.iter_rows(min_row=2)}
    assert addresses[own.reference] == "Hallituskatu 7"
    assert addresses[other.reference] is None  # an empty cell
    # (The columns are in the headings' order: the group came last before.)
    assert places[own.reference] == (65.846312, 24.144087)
    assert places[other.reference] == (65.852, 24.153)


def test_figures_export_as_csv_and_xlsx(client, handler, street_case, now):
    client.force_login(handler)
    rows = csv_rows(client.get(REPORT, {"export": "csv"}))
    assert rows[0] == ["Figure", "Period", "Item", "Value"]
    assert ["Cases by category", "", "Street lighting", "1"] in rows
    assert ["Affected residents of published cases", "", "", "0"] in rows
    response = client.get(REPORT, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [cell.value for cell in next(sheet.iter_rows())] == ["Figure", "Period", "Item",
                                                                "Value"]
    assert sheet.title == "Feedback statistics"  # not Wagtail's "Sheet1"
    cases = client.get(CASES, {"export": "xlsx"})
    assert load_workbook(io.BytesIO(b"".join(cases.streaming_content))).active.title == "Cases"


FORMULAS = ["=cmd|' /C calc'!A0", "+358401234567", "-1+1", "@SUM(A1:A2)", "\tdata", "\rdata"]


def test_exported_text_cannot_run_as_a_formula(client, handler, streets):
    cases = [FeedbackFactory(category=streets, message=text, address=text, contact_name=text)
             for text in FORMULAS]
    client.force_login(handler)
    rows = csv_rows(client.get(CASES, {"export": "csv"}))
    header = rows[0]
    exported = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    for case, text in zip(cases, FORMULAS, strict=True):
        for column in ("Message", "Address or place", "Name"):
            assert exported[case.reference][column] == "'" + text
    response = client.get(CASES, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in next(sheet.iter_rows())]
    message = header.index("Message")
    cells = [row[message] for row in sheet.iter_rows(min_row=2)]
    # Text as it was (XML stores a lone carriage return as a line feed).
    assert sorted(cell.value for cell in cells) == sorted(
        text.replace("\r", "\n") for text in FORMULAS)
    assert {cell.data_type for cell in cells} == {"s"}  # text, never a formula


def test_exports_hold_control_characters_and_local_times_as_a_spreadsheet_can(
        client, handler, streets):
    """A NUL byte or a pasted vertical tab (Word's soft line break) in a message made the
    XLSX export a server error (openpyxl refuses them); times were UTC, in the CSV with
    microseconds and "+00:00"."""
    # (A NUL byte is refused on input and by PostgreSQL: ``spreadsheet_text`` is tested
    # with one below.)
    case = FeedbackFactory(category=streets, message="Torikadulla.\x0bToinen\x1b rivi",
                           contact_name="Bell\x07 Ringer")
    Feedback.objects.filter(pk=case.pk).update(
        created_at=datetime(2026, 6, 15, 9, 30, 15, 123456, tzinfo=UTC))  # 12.30.15 in Tornio
    client.force_login(handler)
    response = client.get(CASES, {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in next(sheet.iter_rows())]
    row = next(sheet.iter_rows(min_row=2, values_only=True))
    assert row[header.index("Message")] == "Torikadulla.\nToinen rivi"
    assert row[header.index("Name")] == "Bell Ringer"
    assert row[header.index("Received")] == datetime(2026, 6, 15, 12, 30, 15)
    rows = csv_rows(client.get(CASES, {"export": "csv"}))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Message"] == "Torikadulla.\nToinen rivi"
    assert record["Received"] == "2026-06-15 12:30:15"


def test_spreadsheet_text_keeps_what_a_cell_can_hold():
    from palaute_plugin.stats.views import spreadsheet_text

    assert spreadsheet_text("a\x00b\x0bc\x0cd\te\nf\rg\x1fh") == "ab\nc\nd\te\nf\rgh"
    assert spreadsheet_text(5) == 5


def test_report_query_count_does_not_grow_with_cases(client, streets, now):
    client.force_login(superuser())

    def count(cold=False):
        client.get(REPORT)
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REPORT).status_code == 200
        return len(captured)

    FeedbackFactory(category=streets, latitude=65.85, longitude=24.15)
    aggregates.refresh(now)
    few = count()
    for days in range(1, 40):
        FeedbackFactory(category=CategoryFactory(), created_at=now - timedelta(days=days),
                        latitude=65.85, longitude=24.15 + days / 100)
    FeedbackFactory(category=streets, latitude=65.86, longitude=24.15)
    aggregates.refresh(now)
    assert count() == few
    assert few <= REPORT_MAX_QUERIES
    assert count(cold=True) <= REPORT_MAX_QUERIES_COLD


def test_report_escapes_category_names(client, streets):
    streets.name_en = "<script>alert(1)</script>"
    streets.save()
    FeedbackFactory(category=streets)
    client.force_login(superuser())
    html = client.get(REPORT).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def in_language(user, language):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


@pytest.mark.parametrize("language, date_format, received, counted", [
    ("en", "%m/%d/%Y", "cases received", "Earlier days were counted at"),
    ("sv", "%Y-%m-%d", "ärenden kom in", "Tidigare dagar räknades"),
])
def test_report_writes_dates_as_the_admin_does_in_the_language(
        client, handler, streets, now, language, date_format, received, counted):
    """The admin's short formats (Django's SHORT_DATE_FORMAT), not Finnish ones."""
    FeedbackFactory(category=streets, created_at=now - timedelta(days=1))
    FeedbackFactory(category=streets)
    aggregates.refresh(now)
    in_language(handler, language)
    client.force_login(handler)
    today = timezone.localdate(now)
    start = today.replace(month=1, day=1)
    html = client.get(REPORT, {"start": start.isoformat(), "end": today.isoformat()}
                      ).content.decode()
    assert f"2 {received} {start:{date_format}}–{today:{date_format}}." in html
    assert f"{counted} {timezone.localtime(now):{date_format}} " in html


def test_report_in_finnish_keeps_its_dates(client, handler, streets, now):
    FeedbackFactory(category=streets)
    aggregates.refresh(now)
    in_language(handler, "fi")
    client.force_login(handler)
    today = timezone.localdate(now)
    html = client.get(REPORT, {"start": f"{today.year}-01-01", "end": today.isoformat()}
                      ).content.decode()
    assert f"1 tapaus saapui 1.1.{today.year}–{today.day}.{today.month}.{today.year}." in html
    assert f"Aiemmat päivät laskettiin {today.day}.{today.month}.{today.year} " in html


@pytest.mark.parametrize("language, message", [
    ("en", "The start date 12/05/2026 is after the end date 12/01/2026."),
    ("sv", "Startdatumet 2026-12-05 är efter slutdatumet 2026-12-01."),
])
def test_report_says_an_inverted_range_in_the_language(client, handler, language, message):
    in_language(handler, language)
    client.force_login(handler)
    response = client.get(REPORT, {"start": "2026-12-05", "end": "2026-12-01"})
    assert message in response.content.decode()
    assert response.context.get("figures") is None


def test_report_in_finnish_and_swedish(client, streets):
    user = UserFactory(username="ruotsi", is_superuser=True)
    client.force_login(user)
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    for language, heading in (("fi", "Palautetilastot"), ("sv", "Responsstatistik")):
        profile.preferred_language = language
        profile.save()
        assert heading in client.get(REPORT).content.decode()


def test_rebuild_command_counts_deleted_cases_out(generated, now):
    from django.core.management import call_command

    aggregates.refresh(now)
    old = Feedback.objects.filter(created_at__lt=now - timedelta(days=2)).first()
    day = timezone.localdate(old.created_at)
    before = sum(CaseDayStat.objects.filter(day=day).values_list("count", flat=True))
    old.delete()
    out = io.StringIO()
    call_command("palaute_stats_rebuild", stdout=out)
    assert out.getvalue().startswith("Rebuilt ")
    assert sum(CaseDayStat.objects.filter(day=day).values_list("count", flat=True)) == before - 1
    call_command("palaute_stats_rebuild", "--days", "0", stdout=out)
    assert "Rebuilt 0 days." in out.getvalue()
    # Then every staff scope's default report is added up: here everything, and the
    # traffic group's and the two lone categories' handler groups have no members.
    assert out.getvalue().count("Added up 1 default reports.") == 2


def test_report_by_week_and_by_year(client, streets, now):
    FeedbackFactory(category=streets, created_at=now - timedelta(days=20))
    FeedbackFactory(category=streets)
    aggregates.refresh(now)
    client.force_login(superuser())
    start = (now - timedelta(days=30)).date().isoformat()
    weekly = client.get(REPORT, {"period": "week", "start": start})
    week, year = timezone.localdate().isocalendar()[1], timezone.localdate().isocalendar()[0]
    assert f"week {week}/{year}" in weekly.content.decode()
    assert 5 <= len(weekly.context["figures"].periods) <= 6  # 31 days touch 5 or 6 weeks
    yearly = client.get(REPORT, {"period": "year", "start": "2020-01-01"})
    assert [start.year for start in yearly.context["figures"].periods] == list(
        range(2020, timezone.localdate().year + 1))
    assert yearly.context["figures"].total == 2


def test_stored_sums_are_cached_until_the_aggregate_changes(
        generated, aggregated, now, django_capture_on_commit_callbacks):
    today = timezone.localdate(now)
    filters = Filters(start=today - timedelta(days=160), end=today)
    admin = superuser()
    first = Figures(admin, filters, now=now)
    total = first.total
    with CaptureQueriesContext(connection) as cold:
        Figures(admin, filters, now=now).stored_sums  # noqa: B018
    assert len(cold) == 1  # the scope only: the sums came from the cache
    case = Feedback.objects.filter(created_at__lt=now - timedelta(days=10)).first()
    case.delete()
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.rebuild_days([timezone.localdate(case.created_at)])
    assert Figures(admin, filters, now=now).total == total - 1


def test_statistics_permission_is_offered_in_wagtails_group_editor(client):
    client.force_login(superuser())
    response = client.get(reverse("wagtailusers_groups:add"))
    assert response.status_code == 200
    permission = Permission.objects.get(codename="view_statistics")
    assert f'value="{permission.pk}"' in response.content.decode()


# -- affected residents in the aggregate -----------------------------------------------


def direct_affected(start, end, **case_filters):
    """The residents affected by the cases received in the range: the sum of their
    public records' counts (of records ever published, live now or not), read directly."""
    from django.db.models import Sum

    from palaute_plugin.publication.models import FeedbackPublication

    lower, upper = aggregates.day_bounds(start, end)
    cases = Feedback.objects.filter(created_at__gte=lower, created_at__lt=upper, **case_filters)
    return FeedbackPublication.objects.filter(
        feedback__in=cases, first_published_at__isnull=False).aggregate(
        n=Sum("affected_count"))["n"] or 0


def record_of(case, affected_count=1, live=True):
    from palaute_plugin.publication.models import FeedbackPublication

    return FeedbackPublication.objects.create(
        feedback=case, reference=case.reference, title=f"Asia {case.reference}",
        text="Moderoitu teksti.", category_id=case.category_id, live=live,
        first_published_at=timezone.now() if live else None, shown_status=case.status,
        affected_count=affected_count)


def test_affected_residents_equal_a_direct_count(generated, now, handler):
    rng = random.Random(7)
    today = timezone.localdate(now)
    cases = list(Feedback.objects.order_by("pk"))
    for case in cases:
        if rng.random() < 0.5:
            record_of(case, affected_count=rng.randrange(1, 7), live=rng.random() < 0.8)
    assert any(timezone.localdate(case.created_at) == today and hasattr(case, "publication")
               for case in Feedback.objects.select_related("publication"))
    aggregates.refresh(now)
    start = today - timedelta(days=160)
    group = generated["group"]

    def figure(user, **filters):
        return Figures(user, Filters(start=start, end=today, **filters),
                       now=now).affected_residents

    admin = superuser()
    assert figure(admin) == direct_affected(start, today) > 0
    assert figure(admin, kind="question") == direct_affected(start, today, kind="question")
    assert figure(admin, channel="phone") == direct_affected(start, today, channel="phone")
    assert figure(admin, category=group, kind="proposal") == direct_affected(
        start, today, kind="proposal", category__in=[group, generated["roads"],
                                                     generated["parking"]])
    streets = cases[0].category.__class__.objects.get(name_en="Street lighting")
    assert figure(handler) == direct_affected(start, today, category=streets) > 0
    # Today alone is counted live, yesterday back from the aggregate.
    assert Figures(admin, Filters(start=today, end=today), now=now).affected_residents == (
        direct_affected(today, today))
    yesterday = today - timedelta(days=1)
    assert Figures(admin, Filters(start=start, end=yesterday), now=now).affected_residents == (
        direct_affected(start, yesterday))


def refreshed():
    """The schedule's refresh on the real clock, and its cache bump delivered."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return aggregates.refresh()


def an_hour_passes():
    """Everything written so far is older than the refresh's margin, so that only the
    change a test makes next can bring its day back."""
    from palaute_plugin.publication.models import FeedbackPublication
    from palaute_plugin.publication.subscriptions import MeTooSubscription

    earlier = timezone.now() - timedelta(hours=1)
    Feedback.objects.update(updated_at=earlier)
    FeedbackPublication.objects.update(created_at=earlier)
    FeedbackPublication.objects.filter(first_published_at__isnull=False).update(
        first_published_at=earlier)
    MeTooSubscription.objects.update(confirmed_at=earlier)
    MeTooSubscription.objects.filter(unsubscribed_at__isnull=False).update(
        unsubscribed_at=earlier)


def test_affected_figure_follows_proposal_publication_me_too_and_deletion(
        workflow, handler, moderator, streets, housing):
    from palaute_plugin.publication import subscriptions
    from palaute_plugin.publication.personal_data import SubscriptionData

    from .publication_fixtures import approve, proposed

    old = FeedbackFactory(category=streets, created_at=timezone.now() - timedelta(days=5))
    other = FeedbackFactory(category=housing, created_at=timezone.now() - timedelta(days=3))
    record_of(other, affected_count=3)
    today = timezone.localdate()
    start = today - timedelta(days=30)

    def check(expected):
        admin = Figures(superuser(), Filters(start=start, end=today)).affected_residents
        own = Figures(handler, Filters(start=start, end=today)).affected_residents
        assert (admin, own) == (direct_affected(start, today),
                                direct_affected(start, today, category=streets))
        assert admin == expected

    def token(email):
        return subscriptions.confirmation_token(publication, email, "fi")

    refreshed()
    check(3)
    an_hour_passes()
    # A proposal in moderation (or one cancelled) is no published case: not counted.
    publication = proposed(old, handler)
    assert refreshed() == 1  # the case's day, though the case did not change
    check(3)
    an_hour_passes()
    approve(publication, moderator)
    assert publication.live
    assert refreshed() == 1  # first published: the case's day again
    check(4)
    an_hour_passes()
    subscription, created = subscriptions.confirm(token("naapuri@example.com"))
    assert created
    assert refreshed() == 1
    check(5)
    an_hour_passes()
    assert subscriptions.unsubscribe(subscription)
    assert refreshed() == 1
    check(4)
    subscriptions.confirm(token("toinen@example.com"))
    refreshed()
    check(5)
    an_hour_passes()
    publication.refresh_from_db()  # unpublish() saves every field, the count too
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.unpublish(user=moderator)
    assert refreshed() == 0  # nothing that counts changed
    check(5)  # an unpublished record keeps its residents, as on the case screen
    an_hour_passes()
    # Erasing a follower's data ends their subscription and leaves no time behind: the
    # day is marked instead.
    assert SubscriptionData().erase("toinen@example.com", "", user=None) == 1
    assert refreshed() == 1
    check(4)
    an_hour_passes()
    other.delete()  # its record goes with it
    assert refreshed() == 1
    check(1)
    assert refreshed() == 0  # the marks were used


def test_rebuild_command_after_the_state_was_cleared_records_it(generated, now):
    """Migration 0016 clears the state so that every day is counted anew (with the
    affected residents); the command does it at once, and the schedule not again."""
    from django.core.management import call_command

    from palaute_plugin.stats.models import StatisticsState

    aggregates.refresh(now)
    CaseDayStat.objects.update(affected=0)
    StatisticsState.objects.update(changes_seen_until=None)
    case = Feedback.objects.filter(created_at__lt=now - timedelta(days=2)).first()
    record_of(case, affected_count=4)
    an_hour_passes()
    call_command("palaute_stats_rebuild", stdout=io.StringIO())
    assert sum(CaseDayStat.objects.values_list("affected", flat=True)) == 4
    assert StatisticsState.objects.get().changes_seen_until is not None
    assert aggregates.refresh() == 0


# -- the monthly roll-up ------------------------------------------------------------


class DaysOnly(Figures):
    """The figures read from the daily rows alone, as before the roll-up."""

    def stored_sources(self, day_model, month_model, first=None, by_day=False, last=None):
        return super().stored_sources(day_model, month_model, first, by_day=True, last=last)


def month_sums_equal_daily_sums():
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    from palaute_plugin.stats.models import ROLLUPS

    for day_model, month_model, columns, summed in ROLLUPS:
        dims = ("category_id", "kind", "channel", *columns)
        daily = Counter()
        for row in (day_model.objects.annotate(month=TruncMonth("day")).values("month", *dims)
                    .annotate(**{f"sum_{name}": Sum(name) for name in summed}).order_by()):
            key = (row["month"], *(row[dim] for dim in dims))
            daily[key] = tuple(row[f"sum_{name}"] for name in summed)
        monthly = {(row["day"], *(row[dim] for dim in dims)): tuple(row[name] for name in summed)
                   for row in month_model.objects.values("day", *dims, *summed)}
        assert monthly == dict(daily), month_model.__name__
        assert monthly


def test_rollup_figures_equal_the_daily_rows_and_a_direct_count(generated, now, handler):
    """Ranges that start on a month's first day or within it, end on its last day or
    within it, lie in one month or cross several, with each filter and a handler's
    scope: the roll-up's figures are the daily rows' and a direct count's."""
    rng = random.Random(3)
    for case in Feedback.objects.order_by("pk"):
        if rng.random() < 0.4:
            record_of(case, affected_count=rng.randrange(1, 5))
    aggregates.refresh(now)
    month_sums_equal_daily_sums()
    today = timezone.localdate(now)
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    earliest = (this_month - timedelta(days=130)).replace(day=1)
    ranges = [
        (earliest, today),  # whole months, then this month by day
        (earliest + timedelta(days=9), this_month - timedelta(days=1)),  # ends on a last day
        (earliest + timedelta(days=9), last_month + timedelta(days=4)),  # both partial
        (last_month, this_month - timedelta(days=1)),  # exactly one month
        (last_month + timedelta(days=2), last_month + timedelta(days=20)),  # within one
        (earliest, today - timedelta(days=1)),  # ends yesterday
    ]
    admin, group = superuser(), generated["group"]
    scopes = [(admin, {}), (admin, {"category": group}), (admin, {"kind": "question"}),
              (admin, {"channel": "phone"}), (admin, {"category": generated["roads"],
                                                     "channel": "web"}), (handler, {})]
    checked = 0
    for start, end in ranges:
        for period in ("week", "month", "year"):
            for user, chosen in scopes:
                filters = Filters(start=start, end=end, period=period, **chosen)
                figures = Figures(user, filters, now=now)
                assert figures.read_stored_sums() == DaysOnly(
                    user, filters, now=now).read_stored_sums(), (start, end, period, chosen)
                cases = [case for case in direct_cases(start, end)
                         if case.category_id in figures.categories
                         and case.kind == chosen.get("kind", case.kind)
                         and case.channel == chosen.get("channel", case.channel)]
                for dimension in ("kind", "channel", "status"):
                    expected = Counter(
                        (period_start(timezone.localdate(case.created_at), period),
                         getattr(case, dimension)) for case in cases)
                    assert dict(figures.breakdown(dimension)[1]) == dict(expected)
                assert figures.affected_residents == direct_affected(
                    start, end, pk__in=[case.pk for case in cases])
                checked += len(cases)
    assert checked > 1000


def test_a_rebuilt_day_rebuilds_its_month(generated, now):
    aggregates.refresh(now)
    case = Feedback.objects.filter(created_at__lt=now - timedelta(days=40)).first()
    case.status, case.closed_at = Feedback.Status.RESOLVED, now - timedelta(days=1)
    case.first_response_at = case.created_at + timedelta(hours=3)
    case.latitude, case.longitude = 65.9, 24.3
    case.save()
    Feedback.objects.filter(created_at__gte=now - timedelta(days=60),
                            created_at__lt=now - timedelta(days=50)).delete()
    aggregates.rebuild_days(timezone.localdate(created) for created in (
        case.created_at, *(now - timedelta(days=days) for days in range(50, 61))))
    month_sums_equal_daily_sums()
    assert PlaceDayStat.objects.filter(cell_lat=math.floor(65.9 / 0.002)).exists()


# -- the stored sums in pieces ----------------------------------------------------------


def test_pieces_are_years_then_the_last_stored_years_months_and_backlog_years_before():
    from datetime import date

    now = local(date(2026, 12, 2))
    figures = Figures(superuser(), Filters(start=date(2023, 5, 10), end=date(2026, 12, 2)),
                      now=now)
    figures.__dict__["earliest_stored_day"] = date(2021, 3, 5)
    pieces = [(piece.first.isoformat(), piece.last.isoformat(), piece.backlog_only)
              for piece in figures.segments()]
    assert pieces[:6] == [
        ("2021-03-05", "2021-12-31", True), ("2022-01-01", "2022-12-31", True),
        ("2023-01-01", "2023-05-09", True), ("2023-05-10", "2023-12-31", False),
        ("2024-01-01", "2024-12-31", False), ("2025-01-01", "2025-12-31", False)]
    assert pieces[6:] == [(date(2026, month, 1).isoformat(),
                           (date(2026, month + 1, 1) - timedelta(days=1)).isoformat(), False)
                          for month in range(1, 12)] + [("2026-12-01", "2026-12-01", False)]
    assert figures.segments()[3].months() == [date(2023, month, 1) for month in range(5, 13)]


def test_all_pieces_are_read_in_four_queries_and_equal_one_by_one(generated, now, handler):
    aggregates.refresh(now)
    today = timezone.localdate(now)
    for start, period, user in [(today - timedelta(days=150), "month", superuser()),
                                (today - timedelta(days=90), "week", handler),
                                (today - timedelta(days=40), "year", superuser())]:
        figures = Figures(user, Filters(start=start, end=today, period=period), now=now)
        pieces, _scope = figures.segments(), figures.categories
        assert len(pieces) >= 3
        with CaptureQueriesContext(connection) as read:
            together = figures.read_segments(pieces)
        assert len(read) == 4
        assert together == {piece: figures.read_segments([piece])[piece] for piece in pieces}


def test_no_pieces_without_stored_rows(now):
    figures = Figures(superuser(), Filters(start=timezone.localdate(now) - timedelta(days=30),
                                           end=timezone.localdate(now)), now=now)
    assert figures.segments() == []
    assert figures.stored_sums["counts"]["kind"] == {}
    assert figures.backlog[-1][1] == 0


def delete_a_case_of_an_earlier_month(today, django_capture_on_commit_callbacks):
    """Delete a case received in a month wholly within a 160-day range and before this
    month, and rebuild its day as a refresh would (its month's version bumped)."""
    month = aggregates.month_start(today - timedelta(days=70))
    first, last = aggregates.day_bounds(month, month + timedelta(days=27))
    case = Feedback.objects.filter(created_at__gte=first, created_at__lt=last).first()
    case.delete()
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.rebuild_days([timezone.localdate(case.created_at)])


def test_a_rebuilt_day_reads_again_only_the_piece_of_its_month(
        generated, aggregated, now, django_capture_on_commit_callbacks):
    today = timezone.localdate(now)
    filters = Filters(start=today - timedelta(days=160), end=today)
    admin = superuser()
    with CaptureQueriesContext(connection) as cold:
        before = Figures(admin, filters, now=now)
        total, pieces = before.total, len(before.segments())
    assert pieces >= 5
    # Nothing cached: the range read whole, its rows not labelled by piece.
    assert not any("CASE WHEN" in query["sql"].upper() for query in cold)
    assert before.stored_sums == before.read_stored_sums()
    # A refresh's first change: every piece read (labelled) and cached.
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.bump_months([today.replace(day=1)])
    with CaptureQueriesContext(connection) as first_change:
        assert Figures(admin, filters, now=now).total == total
    assert sum("CASE WHEN" in query["sql"].upper() for query in first_change) == 4
    delete_a_case_of_an_earlier_month(today, django_capture_on_commit_callbacks)
    after = Figures(admin, filters, now=now)
    with CaptureQueriesContext(connection) as read:
        sums = after.stored_sums
    # The first stored day (read again after a rebuild), the scope, then the one piece's
    # four reads: backlog, breakdowns, times, places.
    assert len(read) == 1 + 1 + 4, [query["sql"][:80] for query in read]
    assert all("UNION" not in query["sql"].upper() for query in read[2:]), [
        query["sql"] for query in read]
    assert sums == Figures(admin, filters, now=now).read_stored_sums()
    assert after.total == total - 1
    with CaptureQueriesContext(connection) as again:
        Figures(admin, filters, now=now).stored_sums  # noqa: B018
    assert len(again) == 1


def test_a_day_rebuilt_before_the_first_stored_day_is_found(
        generated, aggregated, now, django_capture_on_commit_callbacks):
    today = timezone.localdate(now)
    filters = Filters(start=today - timedelta(days=400), end=today)
    admin = superuser()
    earlier = Figures(admin, filters, now=now)
    earliest, total, backlog = earlier.earliest_stored_day, earlier.total, dict(earlier.backlog)
    # Still open, received within the range but before any stored day: a backlog piece
    # and a range piece that did not exist before.
    old = FeedbackFactory(category=generated["roads"], created_at=local(
        earliest - timedelta(days=200)), status="new")
    old_month = aggregates.month_start(timezone.localdate(old.created_at))
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.rebuild_days([timezone.localdate(old.created_at)])
    figures = Figures(admin, filters, now=now)
    assert figures.earliest_stored_day == timezone.localdate(old.created_at)
    assert figures.total == total + 1
    assert dict(figures.backlog) == {month: n + (month >= old_month)
                                     for month, n in backlog.items()}


def test_the_sums_follow_a_day_passing_and_survive_an_evicted_piece(
        generated, aggregated, now, django_capture_on_commit_callbacks):
    today = timezone.localdate(now)
    filters = Filters(start=today - timedelta(days=120), end=today + timedelta(days=1))
    admin = superuser()
    first = Figures(admin, filters, now=now)
    first.stored_sums  # noqa: B018
    # A day later: the last stored day moves on (its piece's key with it), and a case of
    # an earlier month was closed meanwhile (its month's piece changed).
    tomorrow = now + timedelta(days=1)
    case = Feedback.objects.filter(status="new", created_at__lt=now - timedelta(days=40)).first()
    case.status, case.closed_at = "resolved", tomorrow - timedelta(hours=2)
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.refresh(tomorrow)
        # (The real clock stamped the change before "now": rebuilt as a refresh would.)
        aggregates.rebuild_days([timezone.localdate(case.created_at)])
    later = Figures(admin, filters, now=tomorrow)
    assert later.stored_sums == Figures(admin, filters, now=tomorrow).read_stored_sums()
    assert later.stored_sums["counts"]["status"] != first.stored_sums["counts"]["status"]
    # An old piece evicted from the cache: added up again from all the pieces.
    case.status = "in_progress"
    case.closed_at = None
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.rebuild_days([timezone.localdate(case.created_at)])
    old_keys = cache.get(later.sums_key())["pieces"]
    cache.delete_many(old_keys)
    again = Figures(admin, filters, now=tomorrow)
    assert again.stored_sums == Figures(admin, filters, now=tomorrow).read_stored_sums()
    assert again.stored_sums["counts"]["status"] != later.stored_sums["counts"]["status"]


def test_a_piece_written_anew_by_another_request_is_not_taken_away(
        generated, aggregated, now, django_capture_on_commit_callbacks):
    """Two requests that read the same piece at different moments (one before a rebuild
    committed, one after, both before its version moved) cache different values under
    one key: the sums added up from one must not be corrected by the other's."""
    today = timezone.localdate(now)
    filters = Filters(start=today - timedelta(days=100), end=today)
    admin = superuser()
    Figures(admin, filters, now=now).stored_sums  # noqa: B018  (nothing cached: whole)
    month = aggregates.month_start(today - timedelta(days=45))
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.bump_months([month])
    figures = Figures(admin, filters, now=now)
    expected = figures.stored_sums  # every piece read and cached
    piece = next(piece for piece in figures.segments() if piece.first == month)
    key = next(key for key in cache.get(figures.sums_key())["pieces"]
               if key == figures.segment_key(piece, {
                   aggregates.month_version_key(month): cache.get(
                       aggregates.month_version_key(month))}))
    other = cache.get(key)
    other["counts"]["kind"] = {period: n + 5 for period, n in other["counts"]["kind"].items()}
    cache.set(key, {**other, "token": "another request's"})
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.bump_months([month])
    assert Figures(admin, filters, now=now).stored_sums == expected


def test_a_change_whose_bump_was_lost_lasts_a_day(
        generated, aggregated, now, django_capture_on_commit_callbacks):
    """Rows rebuilt but the version bump lost (the cache unreachable for a moment, a
    process killed after the commit): the sums are added up again from pieces read within
    a day, once a day."""
    today = timezone.localdate(now)
    filters = Filters(start=today - timedelta(days=140), end=today + timedelta(days=30))
    admin = superuser()
    Figures(admin, filters, now=now).stored_sums  # noqa: B018  (nothing cached: whole)
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.bump_months([today.replace(day=1)])
    Figures(admin, filters, now=now).stored_sums  # noqa: B018  (every piece cached)
    case = Feedback.objects.filter(created_at__lt=now - timedelta(days=60)).first()
    case.delete()
    with django_capture_on_commit_callbacks(execute=False):  # the bump is lost
        aggregates.rebuild_days([timezone.localdate(case.created_at)])
    assert Figures(admin, filters, now=now).stored_sums != Figures(
        admin, filters, now=now).read_stored_sums()  # stale, as long as no day has passed
    later = now + timedelta(days=1, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.refresh(later)
    figures = Figures(admin, filters, now=later)
    assert figures.stored_sums == Figures(admin, filters, now=later).read_stored_sums()


def test_the_report_is_read_from_the_database_while_the_cache_is_down(
        settings, generated, now):
    from cms.settings import base

    aggregates.refresh(now)
    today = timezone.localdate(now)
    filters = Filters(start=today - timedelta(days=140), end=today)
    expected = Figures(superuser(), filters, now=now).read_stored_sums()
    settings.CACHES = {"default": base.redis_cache("redis://127.0.0.1:1/0")}  # nobody there
    figures = Figures(superuser(), filters, now=now)
    assert figures.stored_sums == expected
    assert figures.total > 0


def test_a_first_day_read_before_a_rebuild_is_not_kept(
        generated, now, django_capture_on_commit_callbacks):
    """A request reads the first stored day; a rebuild of an earlier day commits (and
    bumps) before the request caches what it read: the next request reads it again."""
    from unittest import mock

    with django_capture_on_commit_callbacks(execute=True):
        aggregates.refresh(now)
    today = timezone.localdate(now)
    admin = superuser()
    filters = Filters(start=today - timedelta(days=600), end=today)
    old = FeedbackFactory(category=generated["roads"], created_at=now - timedelta(days=400),
                          status="new")
    real_set = cache.set

    def set_after_a_rebuild(key, value, *args, **kwargs):
        if key == aggregates.EARLIEST_DAY_KEY:
            with django_capture_on_commit_callbacks(execute=True):
                aggregates.rebuild_days([timezone.localdate(old.created_at)])
        return real_set(key, value, *args, **kwargs)

    with mock.patch.object(cache, "set", side_effect=set_after_a_rebuild):
        stale = Figures(admin, filters, now=now).earliest_stored_day
    assert stale > timezone.localdate(old.created_at)
    later = Figures(admin, filters, now=now)
    assert later.earliest_stored_day == timezone.localdate(old.created_at)
    assert later.total == Feedback.objects.filter(
        created_at__gte=aggregates.day_bounds(filters.start, filters.start)[0]).count()


# -- the schedule brings the reports asked for lately up to date -----------------------


def test_the_schedule_reads_a_rebuilt_piece_so_that_the_next_request_does_not(
        generated, aggregated, now, django_capture_on_commit_callbacks):
    today = timezone.localdate(now)
    filters = Filters(start=today - timedelta(days=160), end=today)
    admin = superuser()
    Figures(admin, filters, now=now).stored_sums  # noqa: B018  (asked for: remembered)
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.bump_months([today.replace(day=1)])
    assert warm_reports(now) == 1  # every piece read and cached by the worker
    delete_a_case_of_an_earlier_month(today, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as worker:
        assert warm_reports(now) == 1
    # The first stored day (read again after a rebuild), the scope, the piece's four reads.
    assert len(worker) == 1 + 1 + 4, [query["sql"][:80] for query in worker]
    with CaptureQueriesContext(connection) as request:
        sums = Figures(admin, filters, now=now).stored_sums
    assert len(request) == 1  # the scope: nothing read again
    assert sums == Figures(admin, filters, now=now).read_stored_sums()
    # Nothing changed since: the worker finds it all cached.
    with CaptureQueriesContext(connection) as idle:
        assert warm_reports(now) == 1
    assert len(idle) == 1  # the scope


def test_the_schedule_adds_up_each_staff_scopes_default_report_before_anyone_asks(
        generated, aggregated, now, housing, handler):
    from unittest import mock

    from palaute_plugin.stats.figures import default_report_specs, warm_default_reports

    today = timezone.localdate(now)
    defaults = Filters(start=twelve_months_before(today), end=today)
    traffic = handler_of(generated["group"], username="liikenne_tilastot")
    colleague = handler_of(generated["group"], username="liikenne_kollega")
    responsible = UserFactory(username="asumisen_vastaava")
    housing.responsible_person = responsible
    housing.save()
    both = handler_of(generated["group"], username="kaksi_ryhmaa")
    both.groups.add(housing.handler_group)
    # Inactive: the scope of street lighting and housing, which nobody else has, is not.
    handler_of(housing, username="lopettanut", is_active=False).groups.add(
        handler.groups.get())
    staff = (superuser(), traffic, colleague, handler, responsible, both)
    with CaptureQueriesContext(connection) as listing:
        specs = default_report_specs()
    assert len(listing) == 3
    scopes = [Figures(user, defaults, now=now).report_spec() for user in staff]
    # Everything first, then the traffic group's scope, which two handlers share.
    assert scopes[1] == scopes[2]
    assert specs[:2] == [scopes[0], scopes[1]]
    assert sorted(specs[2:]) == sorted({scopes[3], scopes[4], scopes[5]})
    assert len(specs) == 5
    cache.clear()  # as after a restart of the cache: nobody has asked for anything
    assert warm_default_reports(now) == 5
    with mock.patch.object(Figures, "read_segments", side_effect=AssertionError("read")):
        sums = [Figures(user, defaults, now=now).stored_sums for user in staff]
    for user, user_sums in zip(staff, sums, strict=True):
        assert user_sums == Figures(user, defaults, now=now).read_stored_sums()
    # Another report than the default is still added up by its first request.
    with mock.patch.object(Figures, "read_segments", side_effect=AssertionError("read")):
        with pytest.raises(AssertionError, match="read"):
            other = Figures(traffic, Filters(start=defaults.start, end=today, kind="question"),
                            now=now)
            other.stored_sums  # noqa: B018


def test_the_refresh_task_brings_the_default_reports_up_to_date(monkeypatch):
    from palaute_plugin.stats import figures

    done = []
    monkeypatch.setattr(aggregates, "refresh", lambda: done.append("refresh") or 0)
    monkeypatch.setattr(figures, "warm_default_reports", lambda: done.append("defaults"))
    monkeypatch.setattr(figures, "warm_reports", lambda: done.append("asked"))
    assert tasks.refresh_statistics() == 0
    assert done == ["refresh", "defaults", "asked"]


def test_a_report_not_asked_for_again_is_forgotten(generated, aggregated, now):
    today = timezone.localdate(now)
    filters = Filters(start=today - timedelta(days=50), end=today, kind="question")
    asked = Figures(superuser(), filters, now=now)
    asked.stored_sums  # noqa: B018
    marker = seen_key(asked.report_spec())
    listed = {marker: (asked.report_spec(), now.timestamp())}
    assert cache.get(REPORTS_KEY) == listed
    assert cache.get(marker) == now.timestamp()
    # Asked for again within RENEW_SECONDS: nothing written; the worker renews nothing.
    Figures(superuser(), filters, now=now + timedelta(minutes=30)).stored_sums  # noqa: B018
    assert warm_reports(now + timedelta(minutes=30)) == 1
    assert cache.get(REPORTS_KEY) == listed
    assert cache.get(marker) == now.timestamp()
    with CaptureQueriesContext(connection) as forgetting:
        assert warm_reports(now + timedelta(seconds=SEEN_SECONDS + 1)) == 0
    assert len(forgetting) == 0
    assert cache.get(REPORTS_KEY) == {}


def test_a_report_asked_for_again_is_listed_again(generated, aggregated, now):
    """Renewed after RENEW_SECONDS (latest last), listed again at once after being pushed
    out by MOST_WARMED later ones, and kept when asked for while the worker forgets it."""
    from unittest import mock

    from palaute_plugin.stats import figures as figures_module

    today = timezone.localdate(now)
    admin = superuser()
    # (Dates given, not moving with the day: the same report asked for days later.)
    first = Filters(start=today - timedelta(days=5), end=today - timedelta(days=1))
    second = Filters(start=today - timedelta(days=6), end=today - timedelta(days=1))

    def ask(filters, at):
        asked = Figures(admin, filters, now=at)
        asked.stored_sums  # noqa: B018
        return seen_key(asked.report_spec())

    one, two = ask(first, now), ask(second, now)
    later = now + timedelta(seconds=RENEW_SECONDS + 1)
    ask(first, later)
    assert list(cache.get(REPORTS_KEY).items()) == [
        (two, (Figures(admin, second, now=now).report_spec(), now.timestamp())),
        (one, (Figures(admin, first, now=later).report_spec(), later.timestamp()))]
    for days in range(MOST_WARMED):
        ask(Filters(start=today - timedelta(days=10 + days), end=today), later)
    assert one not in cache.get(REPORTS_KEY)
    ask(first, later)
    assert list(cache.get(REPORTS_KEY))[-1] == one
    # The worker finds `two` not asked for within SEEN_SECONDS; a person asks for it while
    # the worker brings `one` up to date: it stays listed.
    cache.delete(REPORTS_KEY)
    much_later = now + timedelta(seconds=SEEN_SECONDS + 60)
    assert ask(second, now) == two
    ask(first, much_later - timedelta(hours=1))
    real = Figures.for_spec

    def asked_meanwhile(spec, at=None):
        ask(second, much_later)
        return real(spec, at)

    with mock.patch.object(figures_module.Figures, "for_spec", side_effect=asked_meanwhile):
        assert warm_reports(much_later) == 1
    assert cache.get(REPORTS_KEY)[two][1] == much_later.timestamp()
    # Not asked for meanwhile: forgotten.
    assert warm_reports(much_later + timedelta(seconds=SEEN_SECONDS + 60)) == 0
    assert cache.get(REPORTS_KEY) == {}


def test_the_worker_starts_no_report_after_its_time(generated, aggregated, now, monkeypatch):
    from palaute_plugin.stats import figures as figures_module

    today = timezone.localdate(now)
    admin = superuser()
    earlier = Figures(admin, Filters(start=today - timedelta(days=20), end=today), now=now)
    latest = Figures(admin, Filters(start=today - timedelta(days=30), end=today), now=now)
    for asked in (earlier, latest):
        asked.stored_sums  # noqa: B018
    cache.delete_many([earlier.sums_key(), latest.sums_key()])
    ticks = iter([0, 0, WARM_SECONDS + 1])  # the start, the first report, the second
    monkeypatch.setattr(figures_module, "monotonic", lambda: next(ticks))
    assert warm_reports(now) == 1
    assert cache.get(latest.sums_key()) is not None  # the latest asked for went first
    assert cache.get(earlier.sums_key()) is None


def test_a_report_whose_category_is_gone_is_forgotten(generated, aggregated, now):
    today = timezone.localdate(now)
    unused = CategoryFactory(name_en="Never asked about")
    figures = Figures(superuser(), Filters(start=today - timedelta(days=50), end=today,
                                           category=unused), now=now)
    assert figures.stored_sums["counts"]["kind"] == {}
    unused.delete()
    assert warm_reports(now) == 0
    assert cache.get(REPORTS_KEY) == {}


def test_the_default_report_is_brought_to_the_next_day(
        generated, aggregated, now, django_capture_on_commit_callbacks):
    today = timezone.localdate(now)
    admin = superuser()
    default = Filters(start=twelve_months_before(today), end=today)
    Figures(admin, default, now=now).stored_sums  # noqa: B018
    ten_days = Filters(start=today - timedelta(days=10), end=today + timedelta(days=5))
    Figures(admin, ten_days, now=now).stored_sums  # noqa: B018
    tomorrow = now + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        aggregates.refresh(tomorrow)
    assert warm_reports(tomorrow) == 2
    # Tomorrow's default range (its dates moved with the day) and the other one, whose
    # dates were given, are added up: the morning's first request reads nothing.
    for filters in (Filters(start=twelve_months_before(today + timedelta(days=1)),
                            end=today + timedelta(days=1)), ten_days):
        with CaptureQueriesContext(connection) as request:
            sums = Figures(admin, filters, now=tomorrow).stored_sums
        assert len(request) == 1, [query["sql"][:80] for query in request]
        assert sums == Figures(admin, filters, now=tomorrow).read_stored_sums()


@pytest.mark.django_db(transaction=True)
def test_the_refresh_task_brings_the_report_up_to_date(client, streets, now):
    client.force_login(superuser())
    for days in range(1, 40):
        FeedbackFactory(category=streets, created_at=now - timedelta(days=days),
                        latitude=65.85, longitude=24.15 + days / 100)
    tasks.refresh_statistics()
    assert client.get(REPORT).status_code == 200  # asked for: remembered

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(REPORT)
        assert response.status_code == 200
        return len(captured), response.context["figures"].total

    cached, total = count()
    case = Feedback.objects.filter(created_at__lt=now - timedelta(days=20)).first()
    case.delete()
    # The deletion marked its day; the task rebuilds it and brings the report up to date:
    # the next request reads as much as before (without: the first stored day and the
    # changed piece's four reads more).
    tasks.refresh_statistics()
    assert count() == (cached, total - 1)


def test_the_migration_marks_the_days_of_records_never_published(streets):
    """Migration 0019: the stored days of cases whose record was never published held
    their resident; those days (only) are counted again by the next refresh."""
    import importlib

    from django.apps import apps

    from palaute_plugin.stats.models import StaleStatisticsDay

    migration = importlib.import_module("palaute_plugin.migrations.0019_stats_published_only")
    now = timezone.now()
    draft = FeedbackFactory(category=streets, created_at=now - timedelta(days=3))
    public = FeedbackFactory(category=streets, created_at=now - timedelta(days=5))
    record_of(draft, live=False)
    record_of(public)
    FeedbackFactory(category=streets, created_at=now - timedelta(days=7))
    migration.mark_the_days_of_unpublished_records(apps, None)
    assert list(StaleStatisticsDay.objects.values_list("day", flat=True)) == [
        timezone.localdate(draft.created_at)]
