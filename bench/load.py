"""Load: concurrent residents through gunicorn on PostgreSQL + Redis, for a fixed time.

Each resident is a new client identity (its own cookies and its own address in
``X-Forwarded-For``, through the trusted-proxy rule) and does what a browser does:
GET the form, wait ``PALAUTE_MIN_SUBMIT_SECONDS``, POST it with the CSRF cookie and
token and the form token, follow the redirect to the receipt. Afterwards: accepted
posts = cases in the database = receipts delivered to the SMTP sink, once each;
no 5xx; p50/p95 latency; requests per CPU-second of the gunicorn processes.

Needs DATABASE_URL (PostgreSQL; a database of its own is created and dropped)
and REDIS_URL. Loopback only; stops by itself.
Run: ``.venv/bin/python -m bench.load`` (``--help`` for the sizes).
"""

import argparse
import os
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter

from scripts.prodstack import (
    Database,
    SmtpSink,
    Stack,
    cpu_seconds,
    environment,
    form_errors,
    submission,
    wait_for,
)

MARKER = f"kuorma-{secrets.token_hex(4)}"


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []  # (kind, seconds)
        self.statuses = Counter()
        self.accepted = []  # the email of each accepted submission
        self.errors = []

    def record(self, kind, started, status):
        with self.lock:
            self.latencies.append((kind, time.perf_counter() - started))
            self.statuses[status] += 1


def resident(stack, number, deadline, min_submit, results):
    iteration = 0
    while time.monotonic() < deadline:
        iteration += 1
        address = f"10.{number}.{iteration // 250}.{iteration % 250 + 1}"
        email = f"r{number}-{iteration}@example.com"
        try:
            one_submission(stack.client(address), email, min_submit, results)
        except Exception as error:  # noqa: BLE001 (counted and reported, the load goes on)
            with results.lock:
                results.errors.append(f"{email}: {type(error).__name__}: {error}"[:300])


def one_submission(client, email, min_submit, results):
    started = time.perf_counter()
    status, _headers, html = client.request("/palaute/")
    results.record("GET form", started, status)
    if status != 200:
        raise AssertionError(f"form page answered {status}")
    time.sleep(min_submit + 0.05)
    started = time.perf_counter()
    message = f"Kuormitustesti {MARKER}: katuvalo ei pala ({email})."
    status, headers, answer = client.request("/palaute/", submission(html, message, email))
    results.record("POST form", started, status)
    if status != 302:
        raise AssertionError(f"post answered {status}: {form_errors(answer)[:200]}")
    with results.lock:
        results.accepted.append(email)
    started = time.perf_counter()
    status, _headers, _body = client.request(headers["Location"])
    results.record("GET receipt", started, status)
    if status != 200:
        raise AssertionError(f"receipt answered {status}")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0


def run(args):
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit("bench.load: terminated"))
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("bench.load: set DATABASE_URL (PostgreSQL) and REDIS_URL")
    database = Database(base_url, f"load_{os.getpid()}")
    smtp = SmtpSink()
    smtp.start()
    os.makedirs(os.path.dirname(args.log) or ".", exist_ok=True)
    with tempfile.TemporaryDirectory() as photos, open(args.log, "w") as log:
        env = environment(
            smtp.port, database.url, photos, os.environ["REDIS_URL"],
            DJANGO_SETTINGS_MODULE="bench.production_settings", Q_WORKERS=args.q_workers,
            PALAUTE_MIN_SUBMIT_SECONDS=args.min_submit, PALAUTE_SITE_RATE_LIMIT="100000/h",
            PALAUTE_SITE_ALERT_COUNT="100000")
        stack = Stack(env, web_workers=args.web_workers, web_threads=args.web_threads,
                      log=log)
        database.create()
        try:
            stack.prepare()
            stack.start_web()
            for _ in range(args.clusters):
                stack.start_cluster()
            return measure(args, stack, database, smtp.collector)
        finally:
            stack.stop()
            smtp.stop()
            database.drop()


def measure(args, stack, database, collector):
    for number in range(args.web_workers * 2):  # warm every worker up
        stack.client(f"192.0.2.{number + 1}").up()
    results = Results()
    load_average = os.getloadavg()[0]
    workers_before = sum(cpu_seconds(p.pid) for p in stack.clusters)
    own_before = time.process_time()
    cpu_before, wall_before = cpu_seconds(stack.web.pid), time.monotonic()
    deadline = time.monotonic() + args.seconds
    threads = [threading.Thread(target=resident, daemon=True,
                                args=(stack, number + 1, deadline, args.min_submit, results))
               for number in range(args.residents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    web_cpu, wall = cpu_seconds(stack.web.pid) - cpu_before, time.monotonic() - wall_before
    own_cpu = time.process_time() - own_before

    accepted = set(results.accepted)
    delivered_by = {}

    def all_receipts():
        delivered_by.clear()
        for recipients, _message in collector.snapshot():
            for recipient in recipients:
                delivered_by[recipient] = delivered_by.get(recipient, 0) + 1
        return accepted <= set(delivered_by)

    try:
        wait_for(all_receipts, args.drain_seconds, "every receipt to be delivered")
    except AssertionError as error:
        results.errors.append(str(error))
    time.sleep(5)  # a second copy would arrive by now
    all_receipts()
    workers_cpu = sum(cpu_seconds(p.pid) for p in stack.clusters) - workers_before
    cases = database.value("SELECT count(*) FROM palaute_plugin_feedback WHERE message LIKE %s",
                           (f"%{MARKER}%",))
    unsent = database.value(
        "SELECT count(*) FROM palaute_plugin_notification WHERE state <> 'sent'")
    receipts = sum(1 for email in accepted if delivered_by.get(email))
    twice = sum(1 for email in accepted if delivered_by.get(email, 0) > 1)
    requests_made = sum(results.statuses.values())
    server_errors = sum(n for status, n in results.statuses.items() if status >= 500)
    rows = [
        ("gunicorn", f"{args.web_workers} workers x {args.web_threads} thread(s) "
                     f"({'gthread' if args.web_threads > 1 else 'sync'})"),
        ("qcluster", f"{args.clusters} processes x {args.q_workers} worker(s)"),
        ("residents (concurrent) / seconds", f"{args.residents} / {args.seconds}"),
        ("requests", requests_made),
        ("statuses", dict(sorted(results.statuses.items()))),
        ("accepted posts", len(results.accepted)),
        ("cases in the database", cases),
        ("receipts delivered (distinct)", receipts),
        ("receipts delivered twice", twice),
        ("duplicate Message-IDs", len(collector.duplicate_ids())),
        ("notifications not sent", unsent),
        ("5xx", server_errors),
        ("client errors", len(results.errors)),
    ]
    for kind in ("GET form", "POST form", "GET receipt", None):
        values = [s for k, s in results.latencies if kind in (None, k)]
        rows.append((f"{kind or 'all requests'} p50 / p95 ms",
                     f"{percentile(values, 0.5) * 1000:.0f} / {percentile(values, 0.95) * 1000:.0f}"))
    rows += [
        ("throughput (requests/s, wall)", f"{requests_made / wall:.1f}"),
        ("accepted submissions/s", f"{len(results.accepted) / wall:.1f}"),
        ("gunicorn CPU seconds", f"{web_cpu:.1f}"),
        ("requests per gunicorn CPU-second", f"{requests_made / web_cpu:.1f}"),
        ("qcluster CPU seconds (incl. drain)", f"{workers_cpu:.1f}"),
        ("load generator CPU seconds", f"{own_cpu:.1f}"),
        ("machine load average at start", f"{load_average:.1f} (2 cores, shared)"),
    ]
    print(f"\nLoad: {MARKER}")
    for name, value in rows:
        print(f"  {name:<36} {value}")
    for error in results.errors[:10]:
        print("  !", error)
    ok = (len(results.accepted) == cases == receipts and twice == 0 and server_errors == 0
          and not collector.duplicate_ids() and not results.errors and len(accepted) > 0)
    print(f"  verdict: {'OK' if ok else 'FAILED'}")
    if results.latencies:
        print(f"  median of all: {statistics.median(s for _k, s in results.latencies) * 1000:.0f} ms")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    # 2 cores: gunicorn's (2 x cores) + 1 sync workers; nginx buffers slow clients.
    parser.add_argument("--web-workers", type=int, default=5)
    parser.add_argument("--web-threads", type=int, default=1)
    parser.add_argument("--clusters", type=int, default=2)
    parser.add_argument("--q-workers", type=int, default=1)
    parser.add_argument("--min-submit", type=int, default=1)
    parser.add_argument("--drain-seconds", type=int, default=300)
    parser.add_argument("--log", default="var/bench-load.log",
                        help="where the output of gunicorn and the qclusters goes")
    sys.exit(0 if run(parser.parse_args()) else 1)


if __name__ == "__main__":
    main()
