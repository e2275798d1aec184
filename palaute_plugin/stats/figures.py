"""The report's figures: read from the daily aggregate up to yesterday, plus today's
cases counted live with the same code (``aggregates.rows_for_cases``).

``Figures(user, filters)`` is scoped like everything else (``stats_categories``):
handlers get their own categories, feedback administrators and holders of
``palaute_plugin.view_statistics`` all. Extenders add a figure as a method.
"""

import hashlib
import logging
import math
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from time import monotonic

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, DateField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst

from ..cache_versions import current_versions
from ..models import Feedback, FeedbackCategory, FeedbackQuerySet
from ..permissions import sees_all_feedback, visible_categories
from . import aggregates
from .models import (
    CaseDayStat,
    CaseMonthStat,
    DurationDayStat,
    DurationMonthStat,
    PlaceDayStat,
    PlaceMonthStat,
    StatisticsState,
)

VIEW_STATISTICS_PERMISSION = "palaute_plugin.view_statistics"
PERIODS = ("week", "month", "year")
TOP_PLACES = 20
#: How long the stored days' sums are kept; a rebuild makes them stale at once anyway.
STORED_SUMS_SECONDS = 24 * 60 * 60
#: The reports asked for lately, {their marker's key: (``Figures.report_spec()``, when last
#: asked for)}, latest last: the refresh schedule brings their sums up to date
#: (``warm_reports``) and forgets one not asked for within ``SEEN_SECONDS``; the latest
#: ``MOST_WARMED`` are kept. A report's marker (the time it was last listed) saves
#: writing the list on every request: it is listed again when its marker is missing or
#: older than ``RENEW_SECONDS``.
REPORTS_KEY = "palaute:stats:v5:reports"
#: Eight days: a manager who looks every week finds the report kept up to date.
SEEN_SECONDS = 8 * 24 * 60 * 60
RENEW_SECONDS = 60 * 60
MOST_WARMED = 50
#: The schedule starts no report after this many seconds of warming (the rest, asked for
#: longest ago, wait for its next run): within django-q2's task timeout with the refresh.
WARM_SECONDS = 20

logger = logging.getLogger(__name__)
Measure = DurationDayStat.Measure


def sees_all_statistics(user):
    return sees_all_feedback(user) or (
        user.is_authenticated and user.is_active and user.has_perm(VIEW_STATISTICS_PERMISSION))


def stats_categories(user):
    """The categories whose figures the user may see."""
    if sees_all_statistics(user):
        return FeedbackCategory.objects.all()
    return visible_categories(user)


def period_start(day, period):
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_period(start, period):
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return (start + timedelta(days=32)).replace(day=1)
    return start.replace(year=start.year + 1)


def periods_between(first_day, last_day, period):
    """The starts of the periods from the one of ``first_day`` to the one of ``last_day``."""
    starts, current = [], period_start(first_day, period)
    while current <= last_day:
        starts.append(current)
        current = next_period(current, period)
    return starts


def percentile(histogram, p):
    """The nearest-rank ``p``th percentile of ``{value: count}`` (None when empty)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(p / 100 * total)), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    period: str = "month"
    category: FeedbackCategory | None = None
    kind: str = ""
    channel: str = ""


@dataclass
class HandlingTimes:
    """One category's (or all categories') times to first response and to closing."""

    label: str
    expected_days: int | None
    first_response: Counter
    closing: Counter
    #: Of the cases with a due time: Counter({True: within it, False: after it}).
    first_response_due: Counter
    closing_due: Counter
    #: A group's row counts its own cases and its subcategories' (as ``by_category``);
    #: a subcategory's row follows it.
    is_group: bool = False
    name: str = ""

    @staticmethod
    def _days(hours):
        return None if hours is None else round(hours / 24, 1)

    def median_days(self, measure):
        return self._days(percentile(getattr(self, measure), 50))

    def p90_days(self, measure):
        return self._days(percentile(getattr(self, measure), 90))

    def count(self, measure):
        return sum(getattr(self, measure).values())

    def share_within_expected(self, measure):
        """Percent of the cases answered (or closed) by their due time: the expected
        response days counted in working days, as the resident was promised (of the
        cases that have a due time)."""
        kept = getattr(self, f"{measure}_due")
        total = kept[True] + kept[False]
        if not total:
            return None
        return round(100 * kept[True] / total)

    def row(self):
        return {
            "label": self.label, "expected_days": self.expected_days,
            "is_group": self.is_group, "name": self.name or self.label,
            **{f"{measure}_{name}": getattr(self, name)(measure)
               for measure in ("first_response", "closing")
               for name in ("count", "median_days", "p90_days", "share_within_expected")},
        }


class Figures:
    def __init__(self, user, filters, now=None):
        self.user = user
        self.filters = filters
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.stored_end = min(filters.end, self.today - timedelta(days=1))
        self._counts = {}
        #: Brought up to date by the schedule (``warm_reports``), not asked for by anyone.
        self.warming = False

    @classmethod
    def for_spec(cls, spec, now=None):
        """The report ``report_spec()`` describes, as of ``now`` (its moving dates moved
        with the day), for the schedule to bring up to date; None when a category of its
        scope is gone (no one can ask for it again)."""
        from .forms import twelve_months_before  # it imports this module

        start, end, period, kind, channel, scope = spec
        now = now or timezone.now()
        end = timezone.localdate(now) if end is None else date.fromisoformat(end)
        start = twelve_months_before(end) if start is None else date.fromisoformat(start)
        figures = cls(None, Filters(start=start, end=end, period=period, kind=kind,
                                    channel=channel), now=now)
        categories = FeedbackCategory.objects.filter(pk__in=scope).select_related("parent")
        figures.__dict__["categories"] = {category.pk: category for category in categories}
        if len(figures.categories) < len(scope):
            return None
        figures.warming = True
        return figures

    def report_spec(self):
        """What ``for_spec`` needs to ask for this report again: its dates (None for an
        end that is today and for the default start twelve months before it: they move
        with the day, as the report's own defaults do), its period, filters and scope."""
        from .forms import twelve_months_before

        f = self.filters
        end = None if f.end == self.today else f.end.isoformat()
        start = None if end is None and f.start == twelve_months_before(f.end) else (
            f.start.isoformat())
        return (start, end, f.period, f.kind, f.channel, tuple(sorted(self.categories)))

    # -- scope and sources ------------------------------------------------------

    @cached_property
    def categories(self):
        """The categories in scope and filter, by primary key."""
        categories = stats_categories(self.user).select_related("parent")
        chosen = self.filters.category
        if chosen is not None:
            categories = categories.filter(Q(pk=chosen.pk) | Q(parent=chosen.pk))
        return {category.pk: category for category in categories}

    def _dimension_filter(self, prefix=""):
        condition = Q(**{f"{prefix}category_id__in": list(self.categories)})
        if self.filters.kind:
            condition &= Q(**{f"{prefix}kind": self.filters.kind})
        if self.filters.channel:
            condition &= Q(**{f"{prefix}channel": self.filters.channel})
        return condition

    def stored(self, model, first, last):
        """``model``'s rows of the days ``first``…``last`` (``first`` None: from the
        first day) in scope and filters."""
        rows = model.objects.filter(self._dimension_filter(), day__lte=last)
        return rows if first is None else rows.filter(day__gte=first)

    def stored_sources(self, day_model, month_model, first=None, by_day=False, last=None):
        """Querysets of ``day_model``'s and its roll-up ``month_model``'s rows that
        together hold the stored days ``first``…``last`` (``stored_end`` unless given)
        once each: the whole months from the roll-up, the partial first and last month
        by day (all by day when ``by_day``: weeks do not fall into months)."""
        last = self.stored_end if last is None else last
        if first is not None and first > last:
            return []
        months_from = first if first is None or first.day == 1 else aggregates.next_month(
            aggregates.month_start(first))
        months_before = aggregates.month_start(last + timedelta(days=1))
        if by_day or (months_from is not None and months_from >= months_before):
            return [self.stored(day_model, first, last)]
        sources = [self.stored(month_model, months_from, months_before - timedelta(days=1))]
        days = Q(day__gte=months_before, day__lte=last)
        if first is not None and first < months_from:
            days |= Q(day__gte=first, day__lt=months_from)
        if (first is not None and first < months_from) or months_before <= last:
            sources.append(self.stored(day_model, None, last).filter(days))
        return sources

    @staticmethod
    def summed(querysets):
        """The rows of ``querysets`` (alike, grouped) in one query (UNION ALL): a key
        may come twice, from the roll-up and from the days."""
        if not querysets:
            return []
        return list(querysets[0].union(*querysets[1:], all=True))

    def cases(self):
        """The cases in scope, filters and date range (for the live figures and export)."""
        start, end = aggregates.day_bounds(self.filters.start, self.filters.end)
        return Feedback.objects.filter(self._dimension_filter(), created_at__gte=start,
                                       created_at__lt=end)

    @cached_property
    def live(self):
        """Today's cases as aggregate rows (empty when the range ends before today)."""
        if self.filters.end < self.today or self.filters.start > self.today:
            return aggregates.DayRows()
        start = aggregates.day_bounds(self.today, self.today)[0]
        cases = self.cases().filter(created_at__gte=start).order_by()
        return aggregates.rows_for_cases(cases.values(*aggregates.CASE_FIELDS))

    @cached_property
    def aggregate_updated_at(self):
        return StatisticsState.objects.values_list("changes_seen_until", flat=True).first()

    # -- the stored days' sums, cached in pieces until their months change ------------

    @cached_property
    def earliest_stored_day(self):
        """The first day with stored rows (the backlog counts the cases still open from
        before the range too), or None; cached with the version it was read at
        (``aggregates.EARLIEST_DAY_KEY``), read once more after any rebuild."""
        version_key = aggregates.STATS_VERSION.key
        found = cache.get_many([version_key, aggregates.EARLIEST_DAY_KEY])
        version = found.get(version_key)
        if version is None:
            version = aggregates.STATS_VERSION.current()
        entry = found.get(aggregates.EARLIEST_DAY_KEY)
        if version is not None and entry is not None and entry[0] == version:
            return entry[1]
        day = CaseDayStat.objects.order_by("day").values_list("day", flat=True).first()
        if version is not None:  # (None: the cache is not there)
            cache.set(aggregates.EARLIEST_DAY_KEY, (version, day), timeout=STORED_SUMS_SECONDS)
        return day

    def segments(self):
        """The pieces the stored days are read and cached in: each a ``Segment``. The
        range's days of earlier years by year, of the last stored day's year by month
        (where a refresh mostly rebuilds days); before the range, whole years for the
        backlog only."""
        last, start, earliest = self.stored_end, self.filters.start, self.earliest_stored_day
        if earliest is None or earliest > last:
            return []
        pieces = []
        for year in range(earliest.year, min(start, last + timedelta(days=1)).year + 1):
            first = max(earliest, date(year, 1, 1))
            end = min(date(year, 12, 31), start - timedelta(days=1), last)
            if first <= end:
                pieces.append(Segment(first, end, backlog_only=True))
        current = max(start, earliest)
        while current <= last:
            if current.year < last.year:
                end = date(current.year, 12, 31)
            else:
                end = aggregates.next_month(aggregates.month_start(current)) - timedelta(days=1)
            pieces.append(Segment(current, min(end, last), backlog_only=False))
            current = min(end, last) + timedelta(days=1)
        return pieces

    def whole_segments(self):
        """The stored days in as few pieces as the backlog allows: before the range (the
        backlog only) and the range."""
        last, start, earliest = self.stored_end, self.filters.start, self.earliest_stored_day
        if earliest is None or earliest > last:
            return []
        pieces = [Segment(earliest, min(start - timedelta(days=1), last), backlog_only=True),
                  Segment(max(start, earliest), last, backlog_only=False)]
        return [piece for piece in pieces if piece.first <= piece.last]

    @cached_property
    def stored_sums(self):
        """What the figures need from the aggregate, added up by the database.

        Read and cached in pieces (``segments``) under the versions of their months
        (``aggregates.month_version_key``, bumped by a rebuild of any of their days), and
        added up once more under the report's own key with the keys of the pieces it was
        added up from. When nothing changed: two cache round trips (the months'
        versions, the sums). After a refresh (or when a day passes): the sums are
        corrected by the pieces that changed (their old sums taken away, the new read,
        in the same four queries however many, and added), so the database reads only
        the rebuilt days' months. When an old piece is gone from the cache, all are
        added up again from the pieces. When nothing at all is cached, the whole range
        is read at once (``whole_segments``) and the pieces are left for later."""
        pieces = self.segments()
        months = sorted({month for piece in pieces for month in piece.months()})
        versions = current_versions([aggregates.month_version_key(month) for month in months])
        if len(versions) < len(months):  # the cache is not there (down): read, keep nothing
            if self.warming:  # nothing could be kept
                raise CacheUnreachable
            return self.read_whole()
        keys = {piece: self.segment_key(piece, versions) for piece in pieces}
        wanted = list(keys.values())
        sums_key = self.sums_key()
        # The entry: the sums, when they were last added up from the pieces alone, and
        # for each piece they hold its key and the token of the value they used (None:
        # not cached). With it, the report's marker: when it was last listed as asked for.
        now = self.now.timestamp()
        spec = self.report_spec()
        marker = seen_key(spec)
        cached = cache.get_many([sums_key, marker])
        if not self.warming and (marker not in cached or now - cached[marker] > RENEW_SECONDS):
            remember_report(marker, spec, now)
        entry = cached.get(sums_key)

        def recent(found):
            """The pieces of ``found`` read within a day (older ones are read again)."""
            return {key: value for key, value in found.items()
                    if now - value["read_at"] <= STORED_SUMS_SECONDS}

        if entry is not None and now - entry["added_up_at"] > STORED_SUMS_SECONDS:
            # Added up again from pieces read within a day, once a day: a change whose
            # version bump was lost (the cache unreachable for a moment) lasts a day.
            entry = None
        if entry is not None and list(entry["pieces"]) == wanted:
            return entry["sums"]
        before = {} if entry is None else entry["pieces"]
        gone = [key for key in before if key not in set(wanted)]
        added = [key for key in wanted if key not in before]
        if entry is None:
            found = recent(cache.get_many(wanted))
            if not found:
                # Nothing cached: the whole range at once (its rows grouped by piece would
                # cost twice as much). The pieces are read when something changes.
                sums = self.read_whole()
                cache.set(sums_key, {"pieces": dict.fromkeys(wanted), "sums": sums,
                                     "added_up_at": now}, timeout=STORED_SUMS_SECONDS)
                return sums
        else:
            found = cache.get_many([*gone, *added])
            found = {**recent(found), **{key: found[key] for key in gone if key in found}}
            # A piece taken away must be the value the sums were added up from: not
            # evicted, nor written anew by another request that read it at another moment.
            if any(key not in found or found[key]["token"] != before[key] for key in gone):
                entry, gone, added = None, [], wanted
                found.update(recent(cache.get_many(
                    [key for key in wanted if key not in found])))
        missing = [piece for piece, key in keys.items() if key in added and key not in found]
        fresh = {keys[piece]: {**piece_sums, "token": uuid.uuid4().hex, "read_at": now}
                 for piece, piece_sums in self.read_segments(missing).items()}
        if fresh:
            cache.set_many(fresh, timeout=STORED_SUMS_SECONDS)
            found.update(fresh)
        base = [] if entry is None else [entry["sums"]]
        sums = merged_sums([*base, *(found[key] for key in added)], self.COUNT_COLUMNS,
                           minus=[found[key] for key in gone])
        pieces = {key: (found[key]["token"] if key in found else before[key]) for key in wanted}
        cache.set(sums_key, {"pieces": pieces, "sums": sums,
                             "added_up_at": now if entry is None else entry["added_up_at"]},
                  timeout=STORED_SUMS_SECONDS)
        return sums

    def read_whole(self):
        return merged_sums(self.read_segments(self.whole_segments()).values(),
                           self.COUNT_COLUMNS)

    def sums_key(self):
        f = self.filters
        scope = ",".join(str(pk) for pk in sorted(self.categories))
        raw = f"{f.start}|{f.end}|{f.period}|{f.kind}|{f.channel}|{scope}"
        # "v6": the handling times say whether each was within its due time.
        return f"palaute:stats:v6:sums:{hashlib.sha256(raw.encode()).hexdigest()[:32]}"

    def segment_key(self, piece, versions):
        f = self.filters
        scope = ",".join(str(pk) for pk in sorted(self.categories))
        months = ",".join(str(versions[aggregates.month_version_key(month)])
                          for month in piece.months())
        period = "" if piece.backlog_only else f.period
        raw = (f"{piece.first}|{piece.last}|{piece.backlog_only}|{period}|{f.kind}|"
               f"{f.channel}|{scope}|{months}")
        digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
        # "v4": in pieces; their backlog without the cases closed in their own month.
        # "v6": the handling times say whether each was within its due time.
        return f"palaute:stats:v6:{digest}"

    def read_stored_sums(self):
        """The stored sums of the whole range read afresh (no cache), piece by piece."""
        return merged_sums(self.read_segments(self.segments()).values(), self.COUNT_COLUMNS)

    def read_segments(self, pieces):
        """{piece: its sums} of ``pieces`` in four queries however many they are: the
        backlog, the cases by period and every breakdown's column (the affected residents
        with them), the handling times and the places. Each reads every run of
        consecutive pieces at once (``labelled``: the roll-up's whole months and the
        partial months' days, each row labelled with its piece's number). A piece
        before the range reads the backlog only."""
        sums = {piece: empty_sums(self.COUNT_COLUMNS) for piece in pieces}
        numbered = list(enumerate(pieces))
        in_range = [(number, piece) for number, piece in numbered if not piece.backlog_only]

        def grouped(day_model, month_model, columns):
            return [rows.values_list("piece", *columns).annotate(n=Sum("count")).order_by()
                    for rows in self.labelled(day_model, month_model, in_range)]

        month = Trunc("day", "month", output_field=DateField())
        # A case closed in the month it came in is in no month's backlog (a month's
        # backlog: received by its end, closed after it).
        for number, created, closed, n in self.summed([
                rows.filter(Q(closed_month__isnull=True) | Q(closed_month__gt=F("day")))
                .annotate(month=month).values_list("piece", "month", "closed_month")
                .annotate(n=Sum("count")).order_by()
                for rows in self.labelled(CaseDayStat, CaseMonthStat, numbered)]):
            sums[pieces[number]]["backlog"][created, closed] += n
        if in_range:
            f = self.filters
            period = Trunc("day", f.period, output_field=DateField())
            columns = tuple(self.COUNT_COLUMNS)
            case_rows = [rows.annotate(period=period) for rows in self.labelled(
                CaseDayStat, CaseMonthStat, in_range, by_day=f.period == "week")]
            counts, affected = self.breakdown_sums(case_rows, columns)
            for (number, column), table in counts.items():
                sums[pieces[number]]["counts"][column] = dict(table)
            for number, residents in affected.items():
                sums[pieces[number]]["affected"] = residents
            for number, category, measure, hours, on_time, n in self.summed(grouped(
                    DurationDayStat, DurationMonthStat,
                    ("category_id", "measure", "hours", "on_time"))):
                sums[pieces[number]]["durations"][category, measure, hours, on_time] += n
            for number, cell_lat, cell_lon, n in self.summed(grouped(
                    PlaceDayStat, PlaceMonthStat, ("cell_lat", "cell_lon"))):
                sums[pieces[number]]["places"][cell_lat, cell_lon] += n
        return {piece: plain_sums(piece_sums) for piece, piece_sums in sums.items()}

    def labelled(self, day_model, month_model, numbered, by_day=False):
        """Querysets of the stored rows of the ``(number, piece)``s, each row annotated
        ``piece``: its piece's number. Consecutive pieces whose boundaries fall on
        months' first days are read together (a roll-up row, dated its month's first
        day, lies in one piece), labelled by ``CASE`` on the day; a run breaks before a
        piece that starts within a month (the range's first day)."""
        runs = []
        for number, piece in numbered:
            if runs and piece.first.day == 1 and (
                    runs[-1][-1][1].last + timedelta(days=1) == piece.first):
                runs[-1].append((number, piece))
            else:
                runs.append([(number, piece)])
        querysets = []
        for run in runs:
            label = Value(run[-1][0])
            if len(run) > 1:
                label = Case(*(When(day__lte=piece.last, then=Value(number))
                               for number, piece in run[:-1]),
                             default=label, output_field=IntegerField())
            querysets.extend(
                rows.annotate(piece=label) for rows in self.stored_sources(
                    day_model, month_model, run[0][1].first, by_day=by_day, last=run[-1][1].last))
        return querysets

    def breakdown_sums(self, case_rows, columns):
        """({(piece, column): {(period, value): cases}}, {piece: affected residents}) of
        ``case_rows`` (annotated with ``piece`` and ``period``). PostgreSQL adds up each
        column's breakdown in one read (``GROUPING SETS``); elsewhere the rows grouped by
        every column are added up here."""
        counts, affected = defaultdict(Counter), Counter()
        if not case_rows:
            return counts, affected
        if connection.vendor == "postgresql":
            return self._grouping_sets(case_rows, columns)
        for number, start, *values, n, residents in self.summed([
                rows.values_list("piece", "period", *columns)
                .annotate(n=Sum("count"), affected=Sum("affected")).order_by()
                for rows in case_rows]):
            for column, value in zip(columns, values, strict=True):
                counts[number, column][start, value] += n
            affected[number] += residents or 0
        return counts, affected

    @staticmethod
    def _grouping_sets(case_rows, columns):
        rows = case_rows[0].values_list(
            "piece", "period", *columns, "count", "affected").order_by()
        if len(case_rows) > 1:
            rows = rows.union(*(more.values_list(
                "piece", "period", *columns, "count", "affected").order_by()
                for more in case_rows[1:]), all=True)
        sql, params = rows.query.sql_with_params()
        names = ", ".join(f"c{n}" for n in range(len(columns)))
        sets = ", ".join(f"(piece, period, c{n})" for n in range(len(columns)))
        which = ", ".join(f"GROUPING(c{n})" for n in range(len(columns)))
        # Only Django's compiled query (its values as parameters) and fixed aliases.
        query = (f"SELECT piece, period, {names}, ARRAY[{which}], SUM(n), SUM(affected) "  # noqa: S608
                 f"FROM ({sql}) AS stored (piece, period, {names}, n, affected) "
                 f"GROUP BY GROUPING SETS ({sets}, (piece))")
        counts, affected = defaultdict(Counter), Counter()
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            for number, start, *values, grouped, n, residents in cursor.fetchall():
                if all(grouped):  # a piece's total: its affected residents
                    affected[number] = residents or 0
                    continue
                position = grouped.index(0)
                if isinstance(start, datetime):  # DATE_TRUNC's timestamp at midnight (UTC)
                    start = start.date()
                counts[number, columns[position]][start, values[position]] += n
        return counts, affected

    # -- case counts --------------------------------------------------------------

    @cached_property
    def periods(self):
        return periods_between(self.filters.start, self.filters.end, self.filters.period)

    #: The columns of ``CaseDayStat`` a breakdown counts by, and their place in the
    #: keys of ``aggregates.DayRows.cases``.
    COUNT_COLUMNS = {"category_id": 1, "kind": 2, "channel": 3, "status": 4}

    def counts_by(self, column):
        """{(period, value): cases} of the range by ``column`` of ``COUNT_COLUMNS``."""
        if column not in self._counts:
            table = Counter(self.stored_sums["counts"][column])
            position = self.COUNT_COLUMNS[column]
            for key, n in self.live.cases.items():
                table[period_start(key[0], self.filters.period), key[position]] += n
            self._counts[column] = table
        return self._counts[column]

    def group_of(self, category_id):
        category = self.categories[category_id]
        return category.parent if category.parent_id else category

    def breakdown(self, dimension):
        """``(series, table)``: series = [(key, label)], table = {(period, key): count}
        for ``dimension`` in ``"group"``, ``"kind"``, ``"channel"``, ``"status"``."""
        if dimension == "group":
            return self._group_breakdown()
        table = self.counts_by(dimension)
        keys = {key for _period, key in table}
        series = [(value, capfirst(label)) for value, label in choices_of(dimension)
                  if value in keys]
        return series, table

    def _group_breakdown(self):
        table, groups = Counter(), {}
        for (period, category), n in self.counts_by("category_id").items():
            group = self.group_of(category)
            groups[group.pk] = group
            table[period, group.pk] += n
        ordered = sorted(groups.values(), key=lambda group: (group.sort_order, group.name))
        return [(group.pk, group.name) for group in ordered], table

    @cached_property
    def total(self):
        return sum(self.counts_by("category_id").values())

    def category_tree(self):
        """[(group, its categories in scope, its subcategories among them)], groups and
        subcategories in order: the rows of ``by_category`` and ``handling_times``."""
        groups = defaultdict(list)
        for category in self.categories.values():
            groups[self.group_of(category.pk)].append(category)
        return [(group, groups[group], sorted((c for c in groups[group] if c.parent_id),
                                              key=lambda c: (c.sort_order, c.name)))
                for group in sorted(groups, key=lambda group: (group.sort_order, group.name))]

    def by_category(self):
        """[(category, count, is_group)]: each group's total, then its categories."""
        counts = Counter()
        for (_period, category), n in self.counts_by("category_id").items():
            counts[category] += n
        rows = []
        for group, members, children in self.category_tree():
            rows.append((group, sum(counts[c.pk] for c in members), True))
            rows.extend((c, counts[c.pk], False) for c in children)
        return rows

    # -- handling times -----------------------------------------------------------

    @cached_property
    def handling_times(self):
        """[HandlingTimes] per category, then one for all categories together."""
        histograms = defaultdict(Counter)
        # {(category, measure): Counter({True: by the due time, False: after it})}
        due_kept = defaultdict(Counter)
        stored = ((category, measure, hours, on_time, n) for (category, measure, hours, on_time), n
                  in self.stored_sums["durations"].items())
        live = ((category, measure, hours, on_time, n) for (
            _day, category, _kind, _channel, measure, hours, on_time), n
            in self.live.durations.items())
        for source in (stored, live):
            for category, measure, hours, on_time, n in source:
                histograms[category, measure][hours] += n
                if on_time is not None:
                    due_kept[category, measure][on_time] += n
        def added_up(label, members, expected_days, **flags):
            tables = [sum((source[member.pk, measure] for member in members), Counter())
                      for source in (histograms, due_kept)
                      for measure in (Measure.FIRST_RESPONSE, Measure.CLOSING)]
            return HandlingTimes(label, expected_days, tables[0], tables[1], tables[2],
                                 tables[3], **flags)

        # In the order and with the meaning of ``by_category``: each group (its own cases
        # and its subcategories'), then its subcategories.
        rows = []
        for group, members, children in self.category_tree():
            expected = {member.expected_response_days for member in members}
            rows.append(added_up(str(group), members,
                                 expected.pop() if len(expected) == 1 else None,
                                 is_group=bool(children), name=group.name))
            rows.extend(added_up(str(child), [child], child.expected_response_days,
                                 name=child.name) for child in children)
        rows.append(added_up("", self.categories.values(), None))
        return rows

    # -- backlog, overdue, affected residents, places -----------------------------

    @cached_property
    def backlog(self):
        """[(month, open cases at its end, or now for the current month)]."""
        first_month = aggregates.month_start(self.filters.start)
        last_day = min(self.filters.end, self.today)
        rows = Counter(self.stored_sums["backlog"])
        for (day, _category, _kind, _channel, _status, closed), n in self.live.cases.items():
            rows[aggregates.month_start(day), closed] += n
        return [(month, sum(n for (created, closed), n in rows.items()
                            if created <= month and (closed is None or closed > month)))
                for month in periods_between(first_month, last_day, "month")]

    @cached_property
    def overdue(self):
        """[(category, cases overdue now)] of the cases received in the range."""
        counts = dict(self.cases().filter(FeedbackQuerySet.overdue_q(self.now))
                      .values_list("category_id").annotate(n=Count("pk")).order_by())
        return [(category, counts[pk]) for pk, category in
                sorted(self.categories.items(), key=lambda item: str(item[1])) if counts.get(pk)]

    @cached_property
    def affected_residents(self):
        """Residents affected by the cases in range: the sum of their public records'
        ``affected_count``, carried in the aggregate (``CaseDayStat.affected``) up to
        yesterday, plus today's records read live."""
        return self.stored_sums["affected"] + sum(self.live.affected.values())

    @cached_property
    def places(self):
        """[(latitude, longitude, cases)] of the busiest map cells, busiest first."""
        totals = Counter(self.stored_sums["places"])
        for (_day, _c, _k, _ch, cell_lat, cell_lon), n in self.live.places.items():
            totals[cell_lat, cell_lon] += n
        top = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:TOP_PLACES]
        return [(*aggregates.cell_centre(*cell), n) for cell, n in top]


class CacheUnreachable(Exception):
    """The shared cache went away while the schedule was bringing reports up to date."""


def seen_key(spec):
    """The key of the marker that a report (``Figures.report_spec()``) was asked for."""
    return f"palaute:stats:v5:seen:{hashlib.sha256(repr(spec).encode()).hexdigest()[:32]}"


def remember_report(marker, spec, now):
    """List a report as asked for at ``now`` (a timestamp), latest last, and set its marker.

    The list is read and written whole. A write lost to another request's at the same
    moment, or a read that failed (the cache unreachable for a moment: an empty list),
    leaves reports out until they are next asked for after their marker's
    ``RENEW_SECONDS``; meanwhile their first request after a refresh adds up what
    changed, as without the list. A report pushed out by ``MOST_WARMED`` later ones
    loses its marker, so that it is listed again when it is asked for again."""
    cache.set(marker, now, timeout=SEEN_SECONDS)
    reports = cache.get(REPORTS_KEY) or {}
    reports.pop(marker, None)
    reports[marker] = (spec, now)
    pushed_out = list(reports)[:-MOST_WARMED]
    for oldest in pushed_out:
        del reports[oldest]
    cache.set(REPORTS_KEY, reports, timeout=None)
    if pushed_out:
        cache.delete_many(pushed_out)


def warm_reports(now=None):
    """After a refresh (``tasks.refresh_statistics``): bring the stored sums of the
    reports asked for lately up to date, so that the next person asking finds them
    added up. The worker reads the pieces a rebuild changed, adds up a report again
    once a day and starts the day's report whose dates move with the day, instead of
    the person waiting. The latest asked for go first; none is started after
    ``WARM_SECONDS``. Reports not asked for within ``SEEN_SECONDS`` are forgotten
    (unless asked for again meanwhile). Returns how many were brought up to date."""
    now = now or timezone.now()
    started = monotonic()
    reports = cache.get(REPORTS_KEY) or {}
    forgotten = [marker for marker, (_spec, seen_at) in reports.items()
                 if now.timestamp() - seen_at > SEEN_SECONDS]
    warmed = 0
    for marker, (spec, _seen_at) in reversed(reports.items()):
        if marker in forgotten:
            continue
        if monotonic() - started > WARM_SECONDS:
            logger.info("Statistics reports left for the next refresh: %s of %s.",
                        len(reports) - len(forgotten) - warmed, len(reports))
            break
        figures = Figures.for_spec(spec, now)
        if figures is None:
            forgotten.append(marker)
            continue
        try:
            figures.stored_sums  # noqa: B018
        except CacheUnreachable:  # gone since the list was read: nothing can be kept
            break
        except Exception:  # the next one may work; the refresh itself is done
            logger.exception("Could not bring the statistics report %s up to date.", spec)
            continue
        warmed += 1
    if forgotten:
        # Read again: reports listed meanwhile stay, as does one asked for again since.
        current = cache.get(REPORTS_KEY)
        if current:
            cache.set(REPORTS_KEY, {
                marker: entry for marker, entry in current.items()
                if marker not in forgotten or entry != reports[marker]}, timeout=None)
    return warmed


def default_report_specs():
    """The default report (the last twelve months by month, no filters) of each scope
    staff have, as ``Figures.report_spec()`` gives it: every category (administrators
    and holders of ``view_statistics``) first, then each active handler's own categories
    (their handler groups' and those they are responsible for), the scopes most handlers
    share first; at most ``MOST_WARMED``. Three queries."""
    categories = list(FeedbackCategory.objects.order_by("pk").values_list(
        "pk", "handler_group_id", "responsible_person_id"))
    if not categories:
        return []
    groups = {group for _pk, group, _person in categories if group is not None}
    user_model = get_user_model()
    user_field = user_model._meta.model_name  # the memberships' field of the user
    members = defaultdict(set)
    for user, group in user_model.groups.through.objects.filter(
            group_id__in=groups, **{f"{user_field}__is_active": True}
    ).values_list(f"{user_field}_id", "group_id"):
        members[user].add(group)
    responsible = {person for _pk, _group, person in categories if person is not None}
    for person in user_model.objects.filter(pk__in=responsible, is_active=True).values_list(
            "pk", flat=True):
        members.setdefault(person, set())
    shared = Counter(
        tuple(pk for pk, group, person in categories if group in joined or person == user)
        for user, joined in members.items())
    everything = tuple(pk for pk, _group, _person in categories)
    scopes = [everything, *(scope for scope, _users in shared.most_common()
                            if scope and scope != everything)]
    return [(None, None, "month", "", "", scope) for scope in scopes[:MOST_WARMED]]


def warm_default_reports(now=None):
    """After a refresh: bring each staff scope's default report (``default_report_specs``)
    up to date even when nobody has asked for it, so that the first look after the cache
    was emptied, after a deploy or after an import is not the one that adds years up.
    None is started after ``WARM_SECONDS``. Returns how many were brought up to date."""
    now = now or timezone.now()
    started, warmed = monotonic(), 0
    for spec in default_report_specs():
        if monotonic() - started > WARM_SECONDS:
            logger.info("Default statistics reports left for the next refresh.")
            break
        figures = Figures.for_spec(spec, now)
        if figures is None:  # a category deleted meanwhile
            continue
        try:
            figures.stored_sums  # noqa: B018
        except CacheUnreachable:
            break
        except Exception:
            logger.exception("Could not bring the statistics report %s up to date.", spec)
            continue
        warmed += 1
    return warmed


@dataclass(frozen=True)
class Segment:
    """A piece of the stored days, ``first``…``last``, read and cached as one."""

    first: date
    last: date
    #: Before the range: only the backlog (the cases still open) is read.
    backlog_only: bool

    def months(self):
        """The first days of the months the piece touches."""
        months, month = [], aggregates.month_start(self.first)
        while month <= self.last:
            months.append(month)
            month = aggregates.next_month(month)
        return months


def empty_sums(columns):
    return {"counts": {column: Counter() for column in columns}, "affected": 0,
            "durations": Counter(), "places": Counter(), "backlog": Counter()}


def plain_sums(sums):
    """``sums`` with dicts for counters, without keys at zero (what is cached)."""

    def plain(table):
        return {key: n for key, n in table.items() if n}

    return {"counts": {column: plain(table) for column, table in sums["counts"].items()},
            "affected": sums["affected"], "durations": plain(sums["durations"]),
            "places": plain(sums["places"]), "backlog": plain(sums["backlog"])}


def merged_sums(pieces, columns, minus=()):
    """The sums of several pieces (``Figures.read_segments``) added up, less those of
    ``minus`` (pieces added up before and since changed); nothing left at zero."""
    total = empty_sums(columns)
    for sign, group in ((1, pieces), (-1, minus)):
        for piece in group:
            tables = [(total["counts"][column], table)
                      for column, table in piece["counts"].items()]
            tables += [(total[name], piece[name]) for name in ("durations", "places", "backlog")]
            for counter, table in tables:
                (counter.update if sign > 0 else counter.subtract)(table)
            total["affected"] += sign * piece["affected"]
    return plain_sums(total)


def choices_of(dimension):
    return {"kind": Feedback.Kind.choices, "channel": Feedback.Channel.choices,
            "status": Feedback.Status.choices}[dimension]

