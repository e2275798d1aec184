"""Writing the daily aggregate (``models``) from the cases, and the rules it counts by.

``rows_for_cases`` turns cases into aggregate rows in Python, so the same code
counts a stored day and today's live cases; ``rebuild_days`` replaces the rows of
some days (idempotent); ``refresh`` is what the django-q2 schedule runs.

The residents a case affects are its public record's ``affected_count`` (none without
a record, or before it is first published). A "me too" confirmation or unsubscription
changes that count, and a first publication counts it, without changing the case:
``changed_days`` finds them by the subscriptions' and the records' own times. Deleted
records and subscriptions leave no time behind; ``receivers`` marks their days
(``StaleStatisticsDay``) instead.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from ..cache_versions import CacheVersion
from ..models import Feedback
from ..publication.models import FeedbackPublication
from ..publication.subscriptions import MeTooSubscription
from .models import (
    ROLLUPS,
    CaseDayStat,
    DurationDayStat,
    PlaceDayStat,
    StaleStatisticsDay,
    StatisticsState,
)

#: A map cell in degrees (latitude, longitude): about 220 m × 190 m in Tornio.
PLACE_CELL = (0.002, 0.004)
#: Times up to this many hours are counted by the hour, longer ones by the day.
HOURLY_UNTIL = 48
#: Changed cases are looked for this far before the last refresh, so that a
#: transaction that committed late is not missed (rebuilding a day twice is harmless).
CHANGE_MARGIN = timedelta(minutes=10)
#: Days rebuilt per query when many are (the first refresh, ``palaute_stats_rebuild``).
DAYS_PER_QUERY = 31
#: The residents the case affects: its public record's count (a LEFT JOIN; None without),
#: once the record has been published (a proposal in moderation, or one cancelled or
#: refused, is no published case).
AFFECTED_FIELD = "publication__affected_count"
PUBLISHED_FIELD = "publication__first_published_at"
CASE_FIELDS = ("created_at", "category_id", "kind", "channel", "status", "closed_at",
               "first_response_at", "due_at", "latitude", "longitude", AFFECTED_FIELD,
               PUBLISHED_FIELD)
Measure = DurationDayStat.Measure
#: Bumped by every rebuild: the first stored day (``EARLIEST_DAY_KEY``) names it.
STATS_VERSION = CacheVersion("palaute:stats-version")


def month_version_key(month):
    """The cache key of the version of one month's stored rows, bumped when a day of it
    is rebuilt: the report's cached pieces (``figures.Figures.stored_sums``) name the
    versions of their months, so a refresh makes only its days' months read again."""
    return f"palaute:stats-month:{month:%Y-%m}"


#: The first day with stored rows as the report read it, with the ``STATS_VERSION`` it
#: was read at (a rebuild bumps it: the value is then read again, one indexed query, and
#: a value read before a rebuild is never taken).
EARLIEST_DAY_KEY = "palaute:stats-earliest-day"


def bump_months(months):
    """After a rebuild of days of ``months`` (first days): their versions."""
    for month in sorted(set(months)):
        CacheVersion(month_version_key(month)).bump()


def duration_bucket(delta):
    """The histogram bucket of a handling time: whole hours (rounded up) up to
    ``HOURLY_UNTIL`` hours, whole days (rounded up, in hours) beyond. Rounding up keeps
    "answered within N days" exact: a time is within N days iff its bucket is."""
    hours = max(0, math.ceil(delta.total_seconds() / 3600))
    if hours <= HOURLY_UNTIL:
        return hours
    return 24 * math.ceil(hours / 24)


def place_cell(latitude, longitude):
    return (math.floor(latitude / PLACE_CELL[0]), math.floor(longitude / PLACE_CELL[1]))


def cell_centre(cell_lat, cell_lon):
    return ((cell_lat + 0.5) * PLACE_CELL[0], (cell_lon + 0.5) * PLACE_CELL[1])


def month_start(day):
    return day.replace(day=1)


def is_closed(status):
    return status not in Feedback.OPEN_STATUSES


@dataclass
class DayRows:
    """Aggregate rows as counters: key = the row's dimensions, value = its count."""

    cases: Counter = field(default_factory=Counter)
    durations: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    #: Affected residents, keyed like ``cases`` (only keys with any).
    affected: Counter = field(default_factory=Counter)

    def add(self, case):
        """Count one case (a dict of ``CASE_FIELDS``)."""
        created = case["created_at"]
        dims = (timezone.localdate(created), case["category_id"], case["kind"], case["channel"])
        closed = is_closed(case["status"]) and case["closed_at"] is not None
        closed_month = month_start(timezone.localdate(case["closed_at"])) if closed else None
        key = (*dims, case["status"], closed_month)
        self.cases[key] += 1
        if case.get(AFFECTED_FIELD) and case.get(PUBLISHED_FIELD) is not None:
            self.affected[key] += case[AFFECTED_FIELD]
        due = case.get("due_at")
        if case["first_response_at"] is not None:
            bucket = duration_bucket(case["first_response_at"] - created)
            on_time = None if due is None else case["first_response_at"] <= due
            self.durations[(*dims, Measure.FIRST_RESPONSE, bucket, on_time)] += 1
        # Spam closes at once and says nothing about how fast the city works.
        if closed and case["status"] != Feedback.Status.REJECTED:
            bucket = duration_bucket(case["closed_at"] - created)
            on_time = None if due is None else case["closed_at"] <= due
            self.durations[(*dims, Measure.CLOSING, bucket, on_time)] += 1
        if case["latitude"] is not None and case["longitude"] is not None:
            self.places[(*dims, *place_cell(case["latitude"], case["longitude"]))] += 1


def rows_for_cases(cases):
    """``DayRows`` of an iterable of case dicts (``queryset.values(*CASE_FIELDS)``)."""
    rows = DayRows()
    for case in cases:
        rows.add(case)
    return rows


def day_bounds(first_day, last_day):
    """The aware datetimes [start of ``first_day``, start of the day after ``last_day``)."""
    start = timezone.make_aware(datetime.combine(first_day, time.min))
    end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))
    return start, end


def cases_received(first_day, last_day):
    start, end = day_bounds(first_day, last_day)
    return Feedback.objects.filter(created_at__gte=start, created_at__lt=end)


def case_row(key, count, affected):
    day, category, kind, channel, status, closed_month = key
    return CaseDayStat(day=day, category_id=category, kind=kind, channel=channel,
                       status=status, closed_month=closed_month, count=count, affected=affected)


def rebuild_span(first_day, last_day):
    """Replace the aggregate rows of the days ``first_day``…``last_day`` (inclusive)."""
    cases = cases_received(first_day, last_day).order_by().values(*CASE_FIELDS)
    rows = rows_for_cases(cases.iterator(chunk_size=5000))
    with transaction.atomic():
        for model in (CaseDayStat, DurationDayStat, PlaceDayStat):
            model.objects.filter(day__gte=first_day, day__lte=last_day).delete()
        CaseDayStat.objects.bulk_create(
            (case_row(key, count, rows.affected[key]) for key, count in rows.cases.items()),
            batch_size=2000)
        DurationDayStat.objects.bulk_create(
            (DurationDayStat(day=day, category_id=category, kind=kind, channel=channel,
                             measure=measure, hours=hours, on_time=on_time, count=count)
             for (day, category, kind, channel, measure, hours, on_time), count
             in rows.durations.items()), batch_size=2000)
        PlaceDayStat.objects.bulk_create(
            (PlaceDayStat(day=day, category_id=category, kind=kind, channel=channel,
                          cell_lat=cell_lat, cell_lon=cell_lon, count=count)
             for (day, category, kind, channel, cell_lat, cell_lon), count
             in rows.places.items()), batch_size=2000)


def spans(days, longest=DAYS_PER_QUERY):
    """Runs of consecutive days from a set of days, each at most ``longest`` days."""
    runs = []
    for day in sorted(days):
        if runs and day - runs[-1][1] == timedelta(days=1) and (
                day - runs[-1][0]).days < longest:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [tuple(run) for run in runs]


def next_month(month):
    return (month + timedelta(days=32)).replace(day=1)


def rebuild_months(months):
    """Replace the monthly roll-up (``models.ROLLUPS``) of each month in ``months`` (first
    days) with the sums of its daily rows: a month of daily rows per query."""
    for month in sorted(set(months)):
        last_day = next_month(month) - timedelta(days=1)
        with transaction.atomic():
            for day_model, month_model, columns, summed in ROLLUPS:
                month_model.objects.filter(day=month).delete()
                dims = ("category_id", "kind", "channel", *columns)
                rows = (day_model.objects.filter(day__gte=month, day__lte=last_day)
                        .values(*dims).annotate(**{f"sum_{name}": Sum(name) for name in summed})
                        .order_by())
                month_model.objects.bulk_create(
                    (month_model(day=month, **{dim: row[dim] for dim in dims},
                                 **{name: row[f"sum_{name}"] for name in summed})
                     for row in rows), batch_size=2000)


def rebuild_days(days):
    """Rebuild the aggregate of each day in ``days``, and the roll-up of their months;
    return how many days."""
    days = set(days)
    for first_day, last_day in spans(days):
        rebuild_span(first_day, last_day)
    months = {month_start(day) for day in days}
    rebuild_months(months)
    if days:
        transaction.on_commit(lambda: (bump_months(months), STATS_VERSION.bump()))
    return len(days)


def all_days_until(last_day):
    """Every day from the first case received up to ``last_day``."""
    first = Feedback.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return set()
    first_day = timezone.localdate(first)
    return {first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)}


def changed_cases(since, before):
    """The received times of the cases changed since ``since`` (received before
    ``before``): read from the index of ``updated_at`` (migration 0017)."""
    return (Feedback.objects.filter(updated_at__gte=since, created_at__lt=before)
            .order_by().values_list("created_at", flat=True).distinct())


def changed_days(since, before):
    """The days received (before ``before``) of the cases changed since ``since``, and
    of the cases whose public record was proposed or first published, or gained or lost a
    "me too", since."""
    since = since - CHANGE_MARGIN
    created = changed_cases(since, before)
    followed = MeTooSubscription.objects.filter(
        Q(confirmed_at__gte=since) | Q(unsubscribed_at__gte=since)).values("publication_id")
    # Their cases by primary key: a few, where a join could read every case.
    recorded = list(FeedbackPublication.objects.filter(
        Q(created_at__gte=since) | Q(first_published_at__gte=since) | Q(pk__in=followed))
        .values_list("feedback_id", flat=True))
    recorded = (Feedback.objects.filter(pk__in=recorded, created_at__lt=before)
                .order_by().values_list("created_at", flat=True))
    return {timezone.localdate(value)
            for values in (created, recorded) for value in values.iterator()}


def refresh(now=None):
    """Bring the aggregate up to yesterday: the days not built yet and the days whose
    cases changed since the last refresh. Today is left to the report's live count.
    Returns how many days were rebuilt."""
    now = now or timezone.now()
    yesterday = timezone.localdate(now) - timedelta(days=1)
    today_start = day_bounds(yesterday, yesterday)[1]
    with transaction.atomic():
        state = StatisticsState.objects.select_for_update().first() or StatisticsState()
        if state.changes_seen_until is None:
            days = all_days_until(yesterday)
        else:
            built_through = timezone.localdate(state.changes_seen_until) - timedelta(days=1)
            days = {built_through + timedelta(days=n)
                    for n in range(1, (yesterday - built_through).days + 1)}
            days |= changed_days(state.changes_seen_until, today_start)
        stale = list(StaleStatisticsDay.objects.values_list("pk", "day"))
        days |= {day for _pk, day in stale}
        rebuilt = rebuild_days(day for day in days if day <= yesterday)
        # Today's marks too: today is built in full once it is yesterday.
        StaleStatisticsDay.objects.filter(pk__in=[pk for pk, _day in stale]).delete()
        state.changes_seen_until = now
        state.save()
    return rebuilt
