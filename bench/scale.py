"""Staff and resident operations at 1,000 and at 1,000,000 cases, on PostgreSQL.

Usage::

    .venv/bin/python -m bench.scale [--regenerate] [--strict] [--repeat N] [--only NAME]

The two databases (``palaute_E_1k`` and ``palaute_E_1m`` by default; the names
come from ``--small``/``--large``) are generated once by ``bench.scale_data``
(migrated with the project's migrations, filled with COPY: a few minutes for the
million) and reused on later runs unless ``--regenerate`` is given. PostgreSQL
is reached as ``DATABASE_URL`` says, with its database name replaced.

How the two databases are alternated: Django keeps one ``DatabaseWrapper`` per
alias per thread in ``django.db.connections``. We build two wrappers for the
alias ``default`` (same settings but the database name) and, before each
request, put one of them in place with ``connections["default"] = wrapper``,
the handler's own item assignment. Every query of the request, the ORM's,
Wagtail's, the session's, ``transaction.atomic()``'s and raw cursors alike,
goes through ``connections["default"]``, so nothing can reach the other
database (which a router could not promise: raw cursors and ``atomic()`` ignore
routers). Both connections stay open for the whole run (``CONN_MAX_AGE=None``),
so neither side pays for connecting. Requests are made in turns: each
operation's request on the small database, then on the large one, then the next
operation, round after round; the first rounds warm up and count the queries
(``CaptureQueriesContext``), the later ones are timed without capturing.

A row is flagged when its 1M median exceeds 1.5 times its 1k median or when
the query counts differ. ``--strict`` exits with status 1 when any row is flagged.

To add an operation (the public list, GeoJSON, Open311, statistics...) append one
``Operation`` to ``OPERATIONS``: a name, who makes the request (``"admin"``,
``"handler"`` or ``None`` for a resident) and a function from the database's
``Context`` to the URL.
"""

import argparse
import logging
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench.common import Row, exit_status, print_rows

ROOT = Path(__file__).resolve().parent.parent
SMALL, LARGE = 1_000, 1_000_000
AIM = 1.5
PAGE_SIZE = 50
#: The case shown on the case screen and searched for by reference: among the
#: newest thousand, so it is the same case in both databases.
SAMPLE_CASE_ID = 500
#: Tornio's centre, about 4.4 km by 3.7 km (south,west,north,east): the map's box on a
#: phone. The generated cases lie within 0.05° of latitude and 0.08° of longitude.
TOWN_BBOX = "65.83,24.11,65.87,24.19"


@dataclass
class Context:
    """What an operation's URL may depend on, read from one database."""

    inbox: str
    dashboard: str
    admin_pages: int
    handler_pages: int
    sample_reference: str
    sample_token: str
    sample_email: str
    feedback_page_url: str
    busiest_category: int
    handled_group: int
    statistics: str
    ten_years_ago: str
    #: An open case with a place among the newest thousand (case 500 has none), so
    #: that its screen looks for possible duplicates nearby (staff/duplicates.py).
    located_case: int
    #: Pages of 20 of the public records of the kind "feedback" (the public list's filter).
    public_feedback_pages: int = 1

    def inbox_with(self, **params):
        return f"{self.inbox}?{urlencode(params)}"

    def case(self, pk):
        from django.urls import reverse

        from palaute_plugin.staff.viewsets import feedback_viewset

        return reverse(feedback_viewset.get_url_name("inspect"), args=[pk])

    def status_page(self):
        return f"{self.feedback_page_url}status/{self.sample_token}/"


@dataclass
class Operation:
    name: str
    user: str | None
    url: callable
    #: Clear the cache before each request (untimed): pages that cache their body
    #: (the public list, the GeoJSON) would otherwise answer from the cache. (Each
    #: database has its own key prefix in the one cache: ``Databases.use``.)
    uncached: bool = False
    #: Run (untimed) before each request with the database's ``Context``.
    prepare: callable = None
    #: Timed instead of a request (``url`` is then unused): a worker's part.
    run: callable = None
    aim: float | None = AIM


def ten_years_by_year(c):
    return f"{c.statistics}?period=year&start={c.ten_years_ago}"


OPERATIONS = [
    Operation("inbox, default page", "admin", lambda c: c.inbox),
    Operation("inbox, search by reference", "admin",
              lambda c: c.inbox_with(q=c.sample_reference)),
    Operation("inbox, free-text search", "admin", lambda c: c.inbox_with(q="kuoppa")),
    Operation("inbox, search by a resident's email address", "admin",
              lambda c: c.inbox_with(q=c.sample_email)),
    Operation("inbox, last page", "admin", lambda c: c.inbox_with(p=c.admin_pages)),
    Operation("inbox, page 500 (last page when fewer)", "admin",
              lambda c: c.inbox_with(p=min(500, c.admin_pages))),
    Operation("inbox, category filter", "admin",
              lambda c: c.inbox_with(category=c.busiest_category)),
    Operation("inbox, group filter", "admin", lambda c: c.inbox_with(category=c.handled_group)),
    Operation("inbox, overdue filter", "admin", lambda c: c.inbox_with(overdue="true")),
    Operation("inbox, sorted by due date, latest first", "admin",
              lambda c: c.inbox_with(ordering="-due_at")),
    # Running clocks first, soonest due first (``palaute_feedback_time_left_idx``).
    Operation("inbox, sorted by time left", "admin", lambda c: c.inbox_with(ordering="due_at")),
    Operation("inbox, sorted by status", "admin", lambda c: c.inbox_with(ordering="status")),
    Operation("handler's default inbox", "handler", lambda c: c.inbox),
    Operation("staff dashboard /admin/ as admin", "admin", lambda c: c.dashboard),
    Operation("staff dashboard /admin/ as handler", "handler", lambda c: c.dashboard),
    Operation("case screen", "admin", lambda c: c.case(SAMPLE_CASE_ID)),
    Operation("case screen of an open located case (nearby duplicates)", "admin",
              lambda c: c.case(c.located_case)),
    Operation("case screen of an open located case as handler", "handler",
              lambda c: c.case(c.located_case)),
    Operation("resident's status page", None, lambda c: c.status_page()),
    Operation("Open311 requests.json, default filters", None,
              lambda c: "/open311/v2/requests.json"),
    Operation("Open311 requests.json, extensions=true", None,
              lambda c: "/open311/v2/requests.json?extensions=true"),
    # The total (X-Result-Count) is reused while nothing is published; the default
    # window asked for explicitly, to the microsecond, shows what counting afresh costs.
    Operation("Open311 requests.json, total counted afresh", None,
              lambda c: "/open311/v2/requests.json?" + urlencode(
                  {"start_date": (datetime.now(UTC) - timedelta(days=90)).isoformat()})),
    Operation("statistics report, last 12 months", "admin", lambda c: c.statistics),
    Operation("statistics report as handler", "handler", lambda c: c.statistics),
    Operation("statistics report, 10 years by year", "admin",
              ten_years_by_year),
    Operation("public list julkiset/, uncached", None,
              lambda c: f"{c.feedback_page_url}julkiset/", uncached=True),
    Operation("public list julkiset/, status filter page 2, uncached", None,
              lambda c: f"{c.feedback_page_url}julkiset/?status=new&page=2", uncached=True),
    Operation("public geojson julkiset/kartta.geojson, town bbox, uncached", None,
              lambda c: f"{c.feedback_page_url}julkiset/kartta.geojson?bbox={TOWN_BBOX}",
              uncached=True),
    Operation("public geojson julkiset/kartta.geojson, town bbox, cached", None,
              lambda c: f"{c.feedback_page_url}julkiset/kartta.geojson?bbox={TOWN_BBOX}"),
    # The map of the list's filters (the map page passes them on to its GeoJSON).
    Operation("public geojson julkiset/kartta.geojson, town bbox, topic filter, uncached",
              None, lambda c: f"{c.feedback_page_url}julkiset/kartta.geojson?bbox={TOWN_BBOX}"
              f"&category={c.busiest_category}", uncached=True),
    Operation("public map page julkiset/kartta/", None,
              lambda c: f"{c.feedback_page_url}julkiset/kartta/"),
    Operation("public map page julkiset/kartta/, topic filter", None,
              lambda c: f"{c.feedback_page_url}julkiset/kartta/?category={c.busiest_category}"),
    # The report's stored days' sums are cached until the next refresh that rebuilds a
    # day; the "statistics" rows above read them from the cache (each database's own).
    # This one adds them up afresh, as the first request for a report nobody asked for
    # lately does, or any after the cache was emptied (each of its requests empties it;
    # operations are measured one at a time, so the others' cache is theirs).
    Operation("stats report, 10 years by year, sums added up afresh", "admin",
              ten_years_by_year, uncached=True),
    # Nobody has asked for anything since the cache was emptied (a restart, a deploy, an
    # import), then the schedule ran: it adds up each staff scope's default report
    # (figures.warm_default_reports), so the first look at the default report is cached.
    Operation("statistics report, last 12 months, cache emptied, then the schedule "
              "(nobody asked before)", "admin", lambda c: c.statistics, uncached=True,
              prepare=lambda c: warmed_defaults()),
    Operation("statistics report as handler, cache emptied, then the schedule "
              "(nobody asked before)", "handler", lambda c: c.statistics, uncached=True,
              prepare=lambda c: warmed_defaults()),
    Operation("stats worker: adding up the default reports after the cache was emptied",
              None, None, run=lambda c: warmed_defaults(), uncached=True, aim=None),
    # The first request after a refresh that rebuilt a day (the refresh's commit bumps
    # the versions of the rebuilt days' months): only the pieces of the stored sums that
    # hold that month are read again, yesterday's (a month) or 13 months ago (a year).
    # These two are what a request finds when the schedule has not brought the report up
    # to date (a report not asked for within eight days, or a request in the moment
    # between the refresh's commit and the worker's reading).
    Operation("stats report, 10 years by year, after a refresh that rebuilt yesterday, "
              "not brought up to date", "admin", ten_years_by_year,
              prepare=lambda c: refreshed_days_ago(1)),
    Operation("stats report, 10 years by year, after a refresh that rebuilt a day 13 months "
              "ago, not brought up to date", "admin", ten_years_by_year,
              prepare=lambda c: refreshed_days_ago(396)),
    # As in production: the refresh task then brings the reports asked for lately up to
    # date (figures.warm_reports); the worker's part is timed on its own.
    Operation("stats report, 10 years by year, after the schedule's refresh (a day 13 months "
              "ago)", "admin", ten_years_by_year,
              prepare=lambda c: refreshed_days_ago(396, then_warm=True)),
    Operation("stats worker: bringing the reports up to date after a day 13 months ago",
              None, None, prepare=lambda c: refreshed_days_ago(396), run=lambda c: warmed(),
              aim=None),
    # The topic and kind filters (partial indexes palaute_pub_category / _kind, 0015).
    Operation("public list julkiset/, topic filter page 2, uncached", None,
              lambda c: f"{c.feedback_page_url}julkiset/?category={c.busiest_category}&page=2",
              uncached=True),
    Operation("public list julkiset/, kind filter page 2, uncached", None,
              lambda c: f"{c.feedback_page_url}julkiset/?kind=feedback&page=2", uncached=True),
    # The last page offered at 1M (10,000 counted / 20 a page); the last page at 1k.
    Operation("public list julkiset/, kind filter page 500 (last page when fewer), uncached",
              None, lambda c: f"{c.feedback_page_url}julkiset/?kind=feedback&page="
              f"{min(500, c.public_feedback_pages)}", uncached=True),
    # The date filters: the local days' bounds as a range of first_published_at (the
    # index palaute_pub_list; a cast to a local date read every public record).
    Operation("public list julkiset/, published within a month a year ago, uncached", None,
              lambda c: f"{c.feedback_page_url}julkiset/?" + urlencode(a_month_a_year_ago()),
              uncached=True),
]


def refreshed_days_ago(days, then_warm=False):
    """What a refresh's commit does after rebuilding the day ``days`` ago (its month's
    version bumped), without rebuilding it: the rows are the same, the report's cached
    piece of that month is not. ``then_warm``: and what the refresh task does next."""
    from django.utils import timezone

    from palaute_plugin.stats import aggregates

    day = timezone.localdate() - timedelta(days=days)
    aggregates.bump_months([aggregates.month_start(day)])
    if then_warm:
        warmed()


def warmed():
    """The refresh task's second part: the reports asked for lately brought up to date."""
    from palaute_plugin.stats import figures

    if figures.warm_reports() < 1:
        raise AssertionError("no report was brought up to date: run the row with one that "
                             "asks for the report (--only stats)")


def warmed_defaults():
    """The refresh task's default reports (each staff scope's) added up."""
    from palaute_plugin.stats import figures

    if figures.warm_default_reports() < 1:
        raise AssertionError("no default report was added up")


def a_month_a_year_ago():
    """``since`` and ``until``: the 30 days that ended 365 days ago."""
    until = datetime.now(UTC).date() - timedelta(days=365)
    return {"since": (until - timedelta(days=29)).isoformat(), "until": until.isoformat()}


# ---------------------------------------------------------------------------
# The databases


def server_url():
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench.scale runs on PostgreSQL: set DATABASE_URL=postgres://...")
    return url.rsplit("/", 1)[0]


def case_count(name):
    """Cases in database ``name``, or None when it does not exist or is unfinished."""
    import psycopg

    try:
        with psycopg.connect(f"{server_url()}/{name}") as conn:
            return conn.execute("SELECT COUNT(*) FROM palaute_plugin_feedback").fetchone()[0]
    except psycopg.Error:
        return None


def bring_up_to_date(name):
    """A database generated before a migration: migrate it, and count the statistics
    again (a migration may have changed what they keep), instead of generating anew."""
    env = {**os.environ, "DATABASE_URL": f"{server_url()}/{name}",
           "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
    manage = [sys.executable, "manage.py"]
    if subprocess.run([*manage, "migrate", "--check"], cwd=ROOT, env=env,
                      capture_output=True).returncode == 0:
        return
    print(f"migrating {name} and counting its statistics again...", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "palaute_stats_rebuild"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)


def ensure_database(name, count, regenerate, all_published=False):
    if not regenerate and case_count(name) == count:
        bring_up_to_date(name)
        return
    import psycopg

    print(f"generating {name} with {count:,} cases...", file=sys.stderr)
    started = time.perf_counter()
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": f"{server_url()}/{name}",
           "DJANGO_SETTINGS_MODULE": "cms.settings.test",
           "PALAUTE_BENCH_ALL_PUBLISHED": "1" if all_published else "0"}
    subprocess.run([sys.executable, "-m", "bench.scale_data", str(count)], cwd=ROOT, env=env,
                   check=True)
    if case_count(name) != count:
        raise SystemExit(f"{name}: generation did not produce {count} cases")
    print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)


def setup_django(small):
    os.environ["DATABASE_URL"] = f"{server_url()}/{small}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    os.environ.setdefault("PALAUTE_Q_SYNC", "0")
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["CONN_MAX_AGE"] = None
    # One client asks the Open311 list many times over: still counted (its cost is part
    # of each read), never refused (a 429 would time the refusal instead).
    settings.PALAUTE_OPEN311_READ_RATE_LIMIT = "1000000/m"
    logging.disable(logging.WARNING)


class Databases:
    """Two connections for the alias ``default``; ``use(name)`` puts one in place, and
    with it the database's own part of the cache: the cache's key prefix names the
    database, so an entry cached from one database (the public list, the GeoJSON, the
    statistics' sums, the category lists...) is never served for the other."""

    def __init__(self, small, large):
        from django.db import connections

        first = connections["default"]
        first.settings_dict["CONN_MAX_AGE"] = None
        second = first.__class__({**first.settings_dict, "NAME": large}, alias="default")
        self.wrappers = {small: first, large: second}
        self.names = (small, large)

    def use(self, name):
        from django.core.cache import caches
        from django.db import connections

        connections["default"] = self.wrappers[name]
        caches["default"].key_prefix = f"bench-{name}"

    @staticmethod
    def clear_cache():
        """Empty the database in use's part of the cache only (``cache.clear()`` would
        empty the other's too, and its next "cached" request would be a miss)."""
        from django.core.cache import caches

        cache = caches["default"]
        prefix = f"{cache.key_prefix}:"
        if hasattr(cache, "client"):  # django-redis (the production cache)
            client = cache.client.get_client(write=True)
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        else:  # LocMemCache: its keys are the made keys
            with cache._lock:
                for key in [key for key in cache._cache if key.startswith(prefix)]:
                    cache._delete(key)


# ---------------------------------------------------------------------------
# Measuring


def read_context(databases, name):
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from palaute_plugin.models import Feedback, FeedbackCategory, FeedbackPage
    from palaute_plugin.permissions import feedback_for_user, visible_categories
    from palaute_plugin.publication.models import FeedbackPublication
    from palaute_plugin.staff.viewsets import feedback_viewset

    databases.use(name)
    users = staff_users()
    sample = Feedback.objects.get(pk=SAMPLE_CASE_ID)
    busiest = (Feedback.objects.filter(created_at__gte=sample.created_at)
               .values("category").order_by().annotate(n=Count("pk"))
               .order_by("-n").first()["category"])
    group = FeedbackCategory.objects.get(service_code="bench-0")
    return Context(
        inbox=reverse(feedback_viewset.get_url_name("index")),
        dashboard=reverse("wagtailadmin_home"),
        admin_pages=max(1, math.ceil(Feedback.objects.count() / PAGE_SIZE)),
        handler_pages=max(1, math.ceil(feedback_for_user(users["handler"]).count() / PAGE_SIZE)),
        sample_reference=sample.reference,
        sample_token=sample.tracking_token,
        sample_email=sample.contact_email.upper(),
        feedback_page_url=FeedbackPage.objects.get().url,
        busiest_category=busiest,
        handled_group=group.pk,
        statistics=reverse("palaute_statistics"),
        ten_years_ago=f"{timezone.localdate().year - 9}-01-01",
        located_case=Feedback.objects.filter(
            pk__gte=SAMPLE_CASE_ID, pk__lte=2 * SAMPLE_CASE_ID, latitude__isnull=False,
            status__in=Feedback.OPEN_STATUSES,
            category__in=visible_categories(users["handler"]))
        .order_by("pk").values_list("pk", flat=True).first(),
        public_feedback_pages=max(1, math.ceil(FeedbackPublication.objects.public().filter(
            kind="feedback").count() / 20)),
    )


def staff_users():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(["bench_admin", "bench_handler"],
                                             field_name="username")
    return {"admin": users["bench_admin"], "handler": users["bench_handler"]}


def logged_in_clients(databases):
    """One client per user; the session row is copied to the other database, and the
    user's password hash too (the session carries a hash of it)."""
    from django.contrib.sessions.models import Session
    from django.test import Client

    small, large = databases.names
    databases.use(small)
    users = staff_users()
    clients = {None: Client()}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        session = Session.objects.get(session_key=client.session.session_key)
        databases.use(large)
        assert staff_users()[role].pk == user.pk, "the databases' users differ"
        type(user).objects.filter(pk=user.pk).update(password=user.password)
        Session.objects.update_or_create(
            session_key=session.session_key,
            defaults={"session_data": session.session_data, "expire_date": session.expire_date})
        databases.use(small)
        clients[role] = client
    return clients


def request(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"GET {url}: {response.status_code}")


def measure(operations, databases, contexts, clients, repeat, warmup=2):
    """Median seconds and query counts of each operation on each database, in turns.

    One operation at a time, all its rounds, the two databases in turns request by
    request: an operation that empties the cache (``uncached``) then leaves the cached
    rows of the others alone (in rounds of every operation, the cached statistics rows
    were read cold after the afresh row had emptied the cache)."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    samples = {(op.name, db): [] for op in operations for db in databases.names}
    queries = {}
    for op in operations:
        for round_number in range(warmup + repeat):
            for db in databases.names:
                databases.use(db)
                if op.run is None:
                    url, client = op.url(contexts[db]), clients[op.user]

                    def timed():
                        request(client, url)  # noqa: B023 (called at once, in this turn)
                else:
                    def timed():
                        op.run(contexts[db])  # noqa: B023
                if op.uncached:
                    databases.clear_cache()
                if op.prepare is not None:
                    op.prepare(contexts[db])
                if round_number < warmup:
                    with CaptureQueriesContext(connections["default"]) as captured:
                        timed()
                    queries[op.name, db] = len(captured)
                    continue
                start = time.perf_counter()
                timed()
                samples[op.name, db].append(time.perf_counter() - start)
    medians = {key: statistics.median(values) for key, values in samples.items()}
    return medians, queries


def rows_for(operations, databases, medians, queries):
    small, large = databases.names
    rows = []
    for op in operations:
        counts = (queries[op.name, small], queries[op.name, large])
        extra = [f"queries {counts[0]} → {counts[1]}"] if counts[0] != counts[1] else []
        rows.append(Row(op.name, medians[op.name, large], medians[op.name, small], op.aim,
                        note=f"queries: {counts[0]} at 1k, {counts[1]} at 1M",
                        extra_flags=extra))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regenerate", action="store_true", help="generate the databases anew")
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything is flagged")
    parser.add_argument("--repeat", type=int, default=10, help="timed rounds (default 10)")
    parser.add_argument("--only", action="append", help="operations whose name contains this")
    parser.add_argument("--small", default="palaute_E_1k")
    parser.add_argument("--large", default="palaute_E_1m")
    parser.add_argument("--all-published", action="store_true",
                        help="when generating: every case published, none rejected (1M cases "
                             "are 1M public records); use other --small/--large names")
    args = parser.parse_args(argv)

    ensure_database(args.small, SMALL, args.regenerate, args.all_published)
    ensure_database(args.large, LARGE, args.regenerate, args.all_published)
    setup_django(args.small)
    databases = Databases(args.small, args.large)
    contexts = {name: read_context(databases, name) for name in databases.names}
    clients = logged_in_clients(databases)
    operations = [op for op in OPERATIONS
                  if not args.only or any(part in op.name for part in args.only)]
    medians, queries = measure(operations, databases, contexts, clients, args.repeat)
    rows = rows_for(operations, databases, medians, queries)
    print_rows(f"Scale (median of {args.repeat}, PostgreSQL, {SMALL:,} vs {LARGE:,} cases, "
               "in turns)", rows, ours_label="1M ms", base_label="1k ms")
    return exit_status(rows, args.strict)


if __name__ == "__main__":
    sys.exit(main())
