"""Faults survived: nothing lost, nothing sent twice, checked from the database and SMTP.

One production stack (``scripts/prodstack.py``: gunicorn, 2 ``qcluster``, PostgreSQL,
a private ``redis-server`` on a free port so the shared one is untouched, an SMTP
sink in this process), then, each on cases of its own:

  b. ``kill -9`` of every qcluster process while an email is in SMTP DATA, and again
     while photos are being cleaned; new qclusters are started.
  c. Redis restarted (its data gone) during a burst of submissions.
  d. PostgreSQL connections of the web and the workers dropped
     (``pg_terminate_backend``) while staff resolve cases and residents submit.
  a. The SMTP server down for 2 minutes while residents submit, then back.

Verdict per scenario: every post answered 302 is a case; every notification of the
scenario's cases is sent and arrived exactly once (by its ``X-Palaute-Notification``
header); every photo is cleaned and no raw upload is left; no 5xx. Exits 1 if any
scenario fails. To fit the run in ~10 minutes the email retry base is 10 s, the task
timeout 20 s (so the email lease is 50 s) and the photo sweep runs every minute
(it takes photos waiting over 2 minutes).

Needs DATABASE_URL (PostgreSQL; a database of its own is created and dropped).
Run: ``.venv/bin/python -m bench.faults [--only b,c] [--smtp-down 120]``.
"""

import argparse
import functools
import io
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import redis
import requests
from PIL import Image

from scripts.prodstack import (
    ROOT,
    Database,
    SmtpSink,
    Stack,
    environment,
    form_errors,
    free_port,
    process_tree,
    submission,
    wait_for,
)

RUN = secrets.token_hex(3)


class PrivateRedis:
    """A redis-server of our own without persistence: a restart loses everything in it."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, start_new_session=True)
        wait_for(self.ping, 20, "redis-server to answer")

    def ping(self):
        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)


@functools.cache
def png_photo():
    """A 20-megapixel PNG: small to send (0.7 MB), a worker takes a while to clean it."""
    linear = Image.linear_gradient("L").resize((5000, 4000))
    radial = Image.radial_gradient("L").resize((5000, 4000))
    image = Image.merge("RGB", (linear, radial, linear.transpose(Image.Transpose.ROTATE_180)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


class Scenario:
    def __init__(self, key, title):
        self.key, self.title = key, title
        self.marker = f"vika-{key}-{RUN}"
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.accepted = []
        self.saved_but_failed = []  # posts not answered 302 whose case exists
        self.unanswered = []  # the emails of posts without a 302
        self.problems = []
        self.facts = []
        self.fault_at = time.monotonic()

    def note(self, fact):
        self.facts.append(fact)
        print(f"  [{self.key}] {fact}", flush=True)


class FaultBench:
    def __init__(self, args, stack, database, smtp, private_redis, photo_root):
        self.args, self.stack, self.database = args, stack, database
        self.smtp, self.redis, self.photo_root = smtp, private_redis, photo_root
        self.collector = smtp.collector
        self.address_counter = 0
        self.lock = threading.Lock()

    # --- residents -----------------------------------------------------------------------

    def new_client(self):
        with self.lock:
            self.address_counter += 1
            n = self.address_counter
        return self.stack.client(f"172.16.{n // 250}.{n % 250 + 1}")

    def submit(self, scenario, photos=0):
        client = self.new_client()
        email = f"{scenario.key}-{client.address}@example.com"
        try:
            status, _headers, html = client.request("/palaute/", timeout=20)
            with scenario.lock:
                scenario.statuses[status] += 1
            if status != 200:
                raise AssertionError(f"form page answered {status}")
            time.sleep(self.args.min_submit + 0.05)
            files = [("photos", (f"kuva{i}.png", png_photo(), "image/png"))
                     for i in range(photos)]
            message = f"Vikatesti {scenario.marker}: katuvalo ei pala ({email})."
            status, _headers, answer = client.request(
                "/palaute/", submission(html, message, email), files=files or None, timeout=30)
        except (requests.RequestException, AssertionError) as error:
            status, answer = type(error).__name__, str(error)
        with scenario.lock:
            scenario.statuses[status] += 1
            if status == 302:
                scenario.accepted.append(email)
            else:
                scenario.unanswered.append(email)
                if isinstance(status, int) and status < 500:
                    scenario.note(f"post answered {status}: {form_errors(answer)[:160]}")
        return status

    def burst(self, scenario, residents, each, photos=0):
        def one_resident():
            for _ in range(each):
                self.submit(scenario, photos)

        threads = [threading.Thread(target=one_resident, daemon=True) for _ in range(residents)]
        for thread in threads:
            thread.start()
        return threads

    # --- the database --------------------------------------------------------------------

    def notifications(self, scenario):
        return self.database.rows(
            "SELECT n.id, n.state, n.attempts FROM palaute_plugin_notification n "
            "JOIN palaute_plugin_feedback f ON f.id = n.feedback_id WHERE f.message LIKE %s",
            (f"%{scenario.marker}%",))

    def photos(self, scenario):
        return self.database.rows(
            "SELECT p.id, p.state, p.upload, p.image FROM palaute_plugin_feedbackphoto p "
            "JOIN palaute_plugin_feedback f ON f.id = p.feedback_id WHERE f.message LIKE %s",
            (f"%{scenario.marker}%",))

    def orphan_uploads(self):
        """Raw uploads on disk that no photo row refers to (any scenario's): never cleaned."""
        referenced = {row[0] for row in self.database.rows(
            "SELECT upload FROM palaute_plugin_feedbackphoto WHERE upload <> ''")}
        root = Path(self.photo_root)
        return sorted(str(path.relative_to(root)) for path in root.rglob("*.upload")
                      if str(path.relative_to(root)) not in referenced)

    def count(self, query, scenario):
        return self.database.value(query, (f"%{scenario.marker}%",))

    def case_emails(self, scenario):
        return {row[0] for row in self.database.rows(
            "SELECT contact_email FROM palaute_plugin_feedback WHERE message LIKE %s",
            (f"%{scenario.marker}%",))}

    # --- the verdict ---------------------------------------------------------------------

    def settled(self, scenario):
        busy = [n for n in self.notifications(scenario) if n[1] in ("pending", "sending")]
        # A photo still naming its upload once cleaned: its worker was killed before
        # deleting it; the sweep (every minute here) deletes it.
        processing = [p for p in self.photos(scenario) if p[1] == "processing" or p[2]]
        return not busy and not processing

    def verify(self, scenario, seconds):
        try:
            wait_for(lambda: self.settled(scenario), seconds, "delivery and photos to settle")
        except AssertionError as error:
            scenario.problems.append(str(error))
        scenario.note(f"settled {time.monotonic() - scenario.fault_at:.0f} s after the fault")
        time.sleep(3)  # a second copy would arrive by now
        arrived = Counter(message["X-Palaute-Notification"]
                          for _rcpt, message in self.collector.snapshot())
        rows = self.notifications(scenario)
        cases = self.case_emails(scenario)
        photos = self.photos(scenario)
        lost = [n for n in rows if arrived[str(n[0])] == 0]
        twice = [n for n in rows if arrived[str(n[0])] > 1]
        missing_cases = set(scenario.accepted) - cases
        scenario.saved_but_failed = sorted(set(scenario.unanswered) & cases)
        server_errors = sum(n for status, n in scenario.statuses.items()
                            if isinstance(status, int) and status >= 500)
        raw_left = [p for p in photos if p[2]]
        not_ready = [p for p in photos if p[1] != "ready"]
        uploads_on_disk = self.orphan_uploads()
        scenario.note(
            f"posts {dict(scenario.statuses)}; accepted {len(scenario.accepted)}, "
            f"cases {len(cases)}; notifications {len(rows)}, lost {len(lost)}, "
            f"twice {len(twice)}; photos {len(photos)}, not ready {len(not_ready)}, "
            f"raw uploads left {len(raw_left)} (orphans on disk: {len(uploads_on_disk)}); "
            f"saved but shown an error {len(scenario.saved_but_failed)}")
        checks = [
            (not missing_cases, f"accepted posts without a case: {sorted(missing_cases)}"),
            (not lost, f"notifications never delivered: {lost}"),
            (not twice, f"notifications delivered more than once: {twice}"),
            (not raw_left, "photo rows still pointing at a raw upload"),
            (not uploads_on_disk, f"raw uploads on disk that no photo refers to: "
                                  f"{uploads_on_disk}"),
            (not not_ready, f"photos not cleaned: {not_ready}"),
            (server_errors == 0, f"{server_errors} answers 5xx"),
            (not scenario.saved_but_failed,
             f"cases saved while the resident was shown an error: {scenario.saved_but_failed}"),
            (rows, "the scenario produced no notifications to check"),
        ]
        scenario.problems += [message for ok, message in checks if not ok]
        return not scenario.problems

    # --- the scenarios -------------------------------------------------------------------

    def restart_clusters(self):
        for process in list(self.stack.clusters):
            self.stack.kill(process)  # SIGKILL to every process of the cluster
            self.stack.clusters.remove(process)
        for _ in range(2):
            self.stack.start_cluster()
        self.wait_for_clusters()

    def wait_for_clusters(self):
        # A qcluster that cannot reach Redis when it starts exits (supervise it: README).
        wait_for(lambda: all(len(process_tree(p.pid)) >= 5 for p in self.stack.clusters), 90,
                 "the qclusters to start their sentinel, pusher, monitor and worker")

    def kill_workers(self, scenario):
        scenario.note("emails: the SMTP server answers DATA after 4 s; kill -9 while sending")
        self.collector.delay = 4
        for thread in self.burst(scenario, residents=2, each=1):
            thread.join()
        wait_for(lambda: any(n[1] == "sending" for n in self.notifications(scenario)), 30,
                 "a notification to be sending")
        sending = sum(n[1] == "sending" for n in self.notifications(scenario))
        scenario.fault_at = time.monotonic()
        self.restart_clusters()
        self.collector.delay = 0
        scenario.note(f"killed every qcluster process with {sending} notification(s) in SMTP")

        for thread in self.burst(scenario, residents=2, each=1, photos=5):
            thread.join()
        wait_for(lambda: any(p[1] == "ready" for p in self.photos(scenario)), 60,
                 "the first photo to be cleaned")
        states = Counter(p[1] for p in self.photos(scenario))
        scenario.fault_at = time.monotonic()  # settling is timed from the last kill
        self.restart_clusters()
        scenario.note(f"killed every qcluster process mid-photo: photo states {dict(states)}")

    def restart_redis(self, scenario):
        threads = self.burst(scenario, residents=8, each=3, photos=1)
        time.sleep(self.args.min_submit + 1)
        scenario.fault_at = time.monotonic()
        self.redis.stop()
        scenario.note("redis-server stopped mid-burst")
        time.sleep(3)
        self.redis.start()
        scenario.note("redis-server started again, empty")
        for thread in threads:
            thread.join()

    def drop_connections(self, scenario):
        for thread in self.burst(scenario, residents=4, each=2):
            thread.join()
        code = ACTION_LOOP.replace("MARKER", scenario.marker)
        staff = subprocess.Popen([sys.executable, "manage.py", "shell", "-c", code],
                                 cwd=ROOT,
                                 env=self.stack.env, stdout=subprocess.PIPE, text=True)
        threads = self.burst(scenario, residents=3, each=2)
        terminated = 0
        scenario.fault_at = time.monotonic()
        for _ in range(4):
            time.sleep(0.7)
            terminated += self.database.terminate_backends()
        scenario.note(f"terminated {terminated} PostgreSQL connections in 4 rounds")
        for thread in threads:
            thread.join()
        output, _ = staff.communicate(timeout=120)
        outcomes = Counter(line.split()[0] for line in output.splitlines()
                           if line.startswith(("resolved ", "error ")))
        scenario.note(f"staff resolutions: {dict(outcomes)}")
        resolved = self.count(
            "SELECT count(*) FROM palaute_plugin_feedback WHERE status = 'resolved' "
            "AND message LIKE %s", scenario)
        answered = self.count(
            "SELECT count(*) FROM palaute_plugin_notification n JOIN palaute_plugin_feedback f "
            "ON f.id = n.feedback_id WHERE n.template = 'resolved' AND f.message LIKE %s",
            scenario)
        scenario.note(f"{resolved} cases resolved in the database, {answered} answers queued")
        if resolved != answered or not resolved:
            scenario.problems.append(f"{resolved} resolved cases but {answered} answers")

    def smtp_down(self, scenario):
        self.smtp.stop()
        down_at = time.monotonic()
        scenario.note(f"SMTP server stopped for {self.args.smtp_down} s")
        for thread in self.burst(scenario, residents=3, each=2):
            thread.join()
        time.sleep(max(0, self.args.smtp_down - (time.monotonic() - down_at)))
        attempts = [n[2] for n in self.notifications(scenario)]
        self.smtp.start()
        scenario.fault_at = time.monotonic()  # here: since SMTP came back
        scenario.note(f"SMTP server back; attempts so far per notification: {sorted(attempts)}")


ACTION_LOOP = """
import time
from django.db import connection
from django.contrib.auth import get_user_model
from palaute_plugin import actions
from palaute_plugin.models import Feedback
def again(read):
    # The connection may be dropped before the first action too (a loaded machine is
    # still starting this process when the drops begin): the handler reloads the page.
    for attempt in range(5):
        try:
            return read()
        except Exception as error:
            print('error reading', type(error).__name__, flush=True)
            connection.close()
            time.sleep(0.3)
    return read()
user = again(lambda: get_user_model().objects.get(username='admin'))
ids = again(lambda: list(Feedback.objects.filter(message__contains='MARKER')
                         .values_list('pk', flat=True)))
for pk in ids:
    for attempt in range(3):
        try:
            case = Feedback.objects.get(pk=pk)
            actions.resolve(case, user=user, message='Lamppu vaihdettiin.')
            print('resolved', pk, flush=True)
            break
        except Exception as error:
            print('error', pk, type(error).__name__, flush=True)
            connection.close()  # a handler presses the button again
            time.sleep(0.3)
    time.sleep(0.4)
"""

SCENARIOS = {
    "b": ("kill -9 of the qclusters mid-delivery and mid-photo", "kill_workers"),
    "c": ("Redis restarted during a submission burst", "restart_redis"),
    "d": ("PostgreSQL connections dropped during actions", "drop_connections"),
    "a": ("SMTP server down, then back", "smtp_down"),
}


def run(args):
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit("bench.faults: terminated"))
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        sys.exit("bench.faults: set DATABASE_URL (PostgreSQL)")
    database = Database(base_url, f"faults_{os.getpid()}")
    private_redis = PrivateRedis()
    private_redis.start()
    smtp = SmtpSink()
    smtp.start()
    os.makedirs(os.path.dirname(args.log) or ".", exist_ok=True)
    with tempfile.TemporaryDirectory() as photo_root, open(args.log, "w") as log:
        env = environment(
            smtp.port, database.url, photo_root, private_redis.url,
            DJANGO_SETTINGS_MODULE="bench.production_settings",
            PALAUTE_MIN_SUBMIT_SECONDS=args.min_submit, PALAUTE_EMAIL_RETRY_BASE_SECONDS=10,
            Q_TIMEOUT=20)
        stack = Stack(env, web_workers=3, log=log)
        database.create()
        try:
            stack.prepare()
            database.rows("UPDATE django_q_schedule SET minutes = 1, next_run = now() "
                          "WHERE func = 'palaute_plugin.tasks.process_pending_photos' "
                          "RETURNING id")
            stack.start_web()
            for _ in range(2):
                stack.start_cluster()
            bench = FaultBench(args, stack, database, smtp, private_redis, photo_root)
            bench.wait_for_clusters()
            png_photo()
            return run_scenarios(args, bench)
        finally:
            stack.stop()
            smtp.stop()
            private_redis.stop()
            database.drop()


def run_scenarios(args, bench):
    started = time.monotonic()
    chosen = [key for key in SCENARIOS if key in args.only.split(",")]
    scenarios = {key: Scenario(key, SCENARIOS[key][0]) for key in chosen}
    # b, c and d recover in parallel (the photo sweep takes the longest); then a.
    for key in [k for k in chosen if k != "a"]:
        print(f"\n== {key}. {scenarios[key].title}", flush=True)
        getattr(bench, SCENARIOS[key][1])(scenarios[key])
    for key in [k for k in chosen if k != "a"]:
        bench.verify(scenarios[key], seconds=300)
    if "a" in scenarios:
        print(f"\n== a. {scenarios['a'].title}", flush=True)
        bench.smtp_down(scenarios["a"])
        bench.verify(scenarios["a"], seconds=300)
    print(f"\nFaults ({time.monotonic() - started:.0f} s)")
    for scenario in scenarios.values():
        verdict = "OK" if not scenario.problems else "FAILED"
        print(f"  {scenario.key}. {scenario.title:<55} {verdict}")
        for problem in scenario.problems:
            print(f"       ! {problem[:400]}")
    return all(not s.problems for s in scenarios.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="b,c,d,a", help="scenarios to run, e.g. b,c")
    parser.add_argument("--smtp-down", type=int, default=120, help="seconds")
    parser.add_argument("--min-submit", type=int, default=1)
    parser.add_argument("--log", default="var/bench-faults.log",
                        help="where the output of gunicorn and the qclusters goes")
    sys.exit(0 if run(parser.parse_args()) else 1)


if __name__ == "__main__":
    main()
