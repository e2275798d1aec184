"""The production stack on one machine, for the smoke run, the load bench and the fault drills.

PostgreSQL (a database of its own, created and dropped), Redis as broker and cache,
gunicorn and ``qcluster`` processes with the production settings, behind a simulated
reverse proxy (``X-Forwarded-Proto``/``-For`` as the city's nginx sends them, with
``PALAUTE_TRUSTED_PROXY_COUNT=1``), and an SMTP server (aiosmtpd) in this process
that collects what the workers send. Everything listens on 127.0.0.1 only.
"""

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from email import message_from_bytes
from pathlib import Path

import psycopg
import requests
from aiosmtpd.controller import Controller
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Never resolved: requests go to 127.0.0.1 with this Host header. Not "localhost",
# which the production checks refuse for WAGTAILADMIN_BASE_URL (palaute_plugin.E012).
HOST = "palaute.example.fi"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


# --- SMTP ------------------------------------------------------------------------------


class Collector:
    """aiosmtpd handler keeping every message; ``delay`` slows each one down (seconds)."""

    def __init__(self):
        self.messages = []
        self.delay = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.delay:
            await asyncio.sleep(self.delay)
            transport = getattr(server, "transport", None)
            if transport is None or transport.is_closing():
                # The sender is gone before our "250 OK": not accepted, as with a real MTA.
                return "451 Sender went away"
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def to(self, recipient):
        return [m for rcpt, m in self.snapshot() if recipient in rcpt]

    def duplicate_ids(self):
        ids = [m["Message-ID"] for _rcpt, m in self.snapshot()]
        return sorted({i for i in ids if ids.count(i) > 1})


class SmtpSink:
    """The collecting SMTP server on a fixed port, so it can be stopped and started again."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.collector = Collector()
        self.controller = None

    def start(self):
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


# --- PostgreSQL -------------------------------------------------------------------------


class Database:
    """A database of its own beside the one DATABASE_URL names (its name + ``suffix``)."""

    def __init__(self, base_url, suffix):
        server, _slash, base_name = base_url.rpartition("/")
        self.name = f"{base_name.split('?')[0]}_{suffix}"
        self.url = f"{server}/{self.name}"
        self.admin_url = f"{server}/postgres"

    def _admin(self, statement):
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def create(self):
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self):
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                    .format(sql.Identifier(self.name)))

    def rows(self, query, params=()):
        with psycopg.connect(self.url, autocommit=True) as connection:
            return connection.execute(query, params).fetchall()

    def value(self, query, params=()):
        return self.rows(query, params)[0][0]

    def terminate_backends(self, application_name_like="%"):
        """Drop every connection to this database except ours (``pg_terminate_backend``)."""
        return self.value(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND application_name LIKE %s",
            (self.name, application_name_like))


# --- processes ----------------------------------------------------------------------------


def environment(smtp_port, database_url, photo_root, redis_url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PALAUTE_TEST")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "WAGTAILADMIN_BASE_URL": f"https://{HOST}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "PALAUTE_TRUSTED_PROXY_COUNT": "1",
        "PALAUTE_PHOTO_ROOT": str(photo_root),
        "Q_WORKERS": "1",
        "PYTHONUNBUFFERED": "1",
    })
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(env, *args, capture=False):
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=False,
                            capture_output=True, text=True)
    if result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-1500:]}")
    return result.stdout if capture else None


def django_shell(env, code):
    """Run Python in ``manage.py shell``; return its last line of output."""
    return manage(env, "shell", "-c", code, capture=True).strip().splitlines()[-1]


class Stack:
    """gunicorn and ``qcluster`` processes on one database, Redis and SMTP sink.

    Each process gets a session of its own, so ``kill(process)`` can stop every
    process it started (a qcluster's sentinel, pusher, monitor and workers).
    """

    def __init__(self, env, web_workers=2, web_threads=1, log=None):
        self.env = env
        self.web_workers = web_workers
        self.web_threads = web_threads
        self.log = log if log is not None else subprocess.DEVNULL
        self.web = None
        self.web_port = free_port()
        self.clusters = []

    def prepare(self):
        manage(self.env, "migrate", "--noinput")
        manage(self.env, "collectstatic", "--noinput")  # the manifest production reads
        manage(self.env, "palaute_demo", "--base-url", f"https://{HOST}")

    def _spawn(self, args):
        # Without a log file stderr stays the caller's: tracebacks are seen.
        stderr = None if self.log is subprocess.DEVNULL else subprocess.STDOUT
        return subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=self.log, stderr=stderr,
                                start_new_session=True)

    def start_web(self):
        self.web = self._spawn([
            PYTHON, "-m", "gunicorn", "cms.wsgi", "--workers", str(self.web_workers),
            "--threads", str(self.web_threads), "--bind", f"127.0.0.1:{self.web_port}",
            "--forwarded-allow-ips", "127.0.0.1"])
        wait_for(lambda: self.client("127.0.0.1").up(), 60, "gunicorn to answer")

    def start_cluster(self):
        process = self._spawn([PYTHON, "manage.py", "qcluster"])
        self.clusters.append(process)
        return process

    def client(self, address):
        return Client(self.web_port, address)

    def kill(self, process, sig=signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def stop(self):
        processes = [p for p in [self.web, *self.clusters] if p and p.poll() is None]
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(process)


def process_tree(pid):
    """``pid`` and its descendants, from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pid):
    """User + system CPU time of ``pid`` and its live descendants (and their reaped children)."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime are fields 14-17 of stat; index 11-14 after the name.
        total += sum(int(value) for value in fields[11:15])
    return total / CLOCK_TICKS


# --- HTTP as the proxy forwards it ------------------------------------------------------


class Client:
    """One resident's browser behind the city's nginx: https scheme, its address appended.

    Cookies are kept by hand: the production cookies are ``Secure`` and this talks
    plain HTTP to gunicorn, as the proxy does.
    """

    def __init__(self, port, address):
        self.base = f"http://127.0.0.1:{port}"
        self.address = address
        self.cookies = {}
        self.session = requests.Session()

    def request(self, path, data=None, files=None, timeout=60):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address,
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if data is None:
            response = self.session.get(self.base + path, headers=headers,
                                        allow_redirects=False, timeout=timeout)
        else:
            headers.update({"Origin": f"https://{HOST}", "Referer": f"https://{HOST}{path}"})
            response = self.session.post(self.base + path, data=data, files=files,
                                         headers=headers, allow_redirects=False,
                                         timeout=timeout)
        for header in response.raw.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        self.session.cookies.clear()
        return response.status_code, response.headers, response.text

    def up(self):
        try:
            status, _headers, body = self.request("/palaute/", timeout=5)
        except requests.RequestException:
            return False
        if status != 200:
            print(f"/palaute/ answered {status}: {body[:300]}")
        return status == 200


def field(html, name):
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    if not match:
        raise AssertionError(f"no {name} in the form page")
    return match.group(1)


def category_id(html, label):
    match = re.search(rf'<option value="(\d+)"[^>]*>{label}', html)
    if not match:
        raise AssertionError(f"the demo's category {label} is missing")
    return match.group(1)


def form_errors(html):
    summary = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", summary.group(0)) if summary else html[:500]


def submission(html, message, email, category_label="Katuvalaistus"):
    """The form's fields filled in as a resident would, from the form page's HTML."""
    return {
        "csrfmiddlewaretoken": field(html, "csrfmiddlewaretoken"),
        "form_token": field(html, "form_token"), "kind": "feedback",
        "category": category_id(html, category_label), "message": message,
        "address": "Hallituskatu 12", "contact_email": email, "website": ""}


def receipt_path(headers):
    location = headers.get("Location", "")
    return urllib.parse.urlsplit(location).path if location.startswith(("/", "http")) else ""
