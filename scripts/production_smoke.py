"""Production smoke run: the production settings behind a (simulated) proxy, for real.

Starts gunicorn with 2 workers and 2 ``qcluster`` processes on PostgreSQL with Redis
as broker and cache, and a local SMTP server (aiosmtpd) that collects what the
workers send. Then: a resident submits the form over HTTP (X-Forwarded-Proto/-For as
the city's nginx sends them), a handler resolves the case, and the emails must
arrive exactly once each. Needs DATABASE_URL (PostgreSQL; a database of its own is
created and dropped) and REDIS_URL. Run: ``.venv/bin/python scripts/production_smoke.py``.
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "palaute.tornio.example"  # not localhost: the admin base URL check refuses that
MARKER = f"savutesti-{secrets.token_hex(4)}"
MESSAGE = f"Katuvalo ei pala Hallituskadun kulmassa ({MARKER})."


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def environment(smtp_port, database_url, photo_root):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PALAUTE_TEST")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "WAGTAILADMIN_BASE_URL": f"https://{HOST}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "PALAUTE_TRUSTED_PROXY_COUNT": "1",
        "PALAUTE_PHOTO_ROOT": str(photo_root),
        "Q_WORKERS": "1",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


class Client:
    """HTTP as the city's nginx forwards it: https scheme, the resident's address appended."""

    def __init__(self, port, address):
        self.base = f"http://127.0.0.1:{port}"
        self.address = address
        self.cookies = {}

    def request(self, path, data=None):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https",
                   "X-Forwarded-For": self.address,
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": f"https://{HOST}", "Referer": f"https://{HOST}{path}"})
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def field(html, name):
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    if not match:
        raise AssertionError(f"no {name} in the form page")
    return match.group(1)


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def main():
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("production_smoke: set DATABASE_URL (PostgreSQL) and REDIS_URL")
    database = f"palaute_smoke_{os.getpid()}"
    database_url = base_url.rsplit("/", 1)[0] + "/" + database
    admin_url = base_url.rsplit("/", 1)[0] + "/postgres"
    collector = Collector()
    smtp = Controller(collector, hostname="127.0.0.1", port=free_port())
    smtp.start()
    processes = []
    with tempfile.TemporaryDirectory() as photos:
        env = environment(smtp.port, database_url, photos)
        subprocess.run([PYTHON, "-c", f"import psycopg; c = psycopg.connect('{admin_url}', "
                        f"autocommit=True); c.execute('CREATE DATABASE {database}')"],
                       check=True)
        try:
            manage(env, "migrate", "--noinput")
            manage(env, "collectstatic", "--noinput")  # the manifest the production storage reads
            manage(env, "palaute_demo", "--base-url", f"https://{HOST}")
            port = free_port()
            processes.append(subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "cms.wsgi", "--workers", "2",
                 "--bind", f"127.0.0.1:{port}", "--forwarded-allow-ips", "127.0.0.1"],
                cwd=ROOT, env=env))
            for _ in range(2):
                processes.append(subprocess.Popen([PYTHON, "manage.py", "qcluster"], cwd=ROOT,
                                                  env=env, stdout=subprocess.DEVNULL))
            run_scenario(port, env, collector)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            smtp.stop()
            subprocess.run([PYTHON, "-c", f"import psycopg; c = psycopg.connect('{admin_url}', "
                            f"autocommit=True); c.execute('DROP DATABASE IF EXISTS {database} "
                            "WITH (FORCE)')"], check=False)
    print("production smoke: OK")


def run_scenario(port, env, collector):
    resident = Client(port, "81.22.33.44")
    wait_for(lambda: _up(resident), 60, "gunicorn to answer")
    status, _headers, html = resident.request("/palaute/")
    assert status == 200, status
    category = re.search(r'<option value="(\d+)"[^>]*>Katuvalaistus', html)
    assert category, "the demo's street lighting category is missing"
    time.sleep(3.2)  # the form's minimum fill time
    status, headers, answer = resident.request("/palaute/", {
        "csrfmiddlewaretoken": field(html, "csrfmiddlewaretoken"),
        "form_token": field(html, "form_token"), "kind": "feedback",
        "category": category.group(1), "message": MESSAGE,
        "address": "Hallituskatu 12", "contact_email": "asukas@example.com", "website": ""})
    summary = re.search(r'<div class="error-summary".*?</ul>', answer, re.S)
    errors = re.sub(r"<[^>]+>|\s+", " ", summary.group(0)) if summary else answer[:500]
    assert status == 302, f"the submission was not accepted ({status}): {errors}"
    assert headers["Location"].startswith("/palaute/receipt/")

    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c",
         "from palaute_plugin import actions; from palaute_plugin.models import Feedback;"
         "from django.contrib.auth import get_user_model;"
         f"case = Feedback.objects.get(message__contains='{MARKER}');"
         "user = get_user_model().objects.get(username='admin');"
         "actions.resolve(case, user=user, message='Lamppu vaihdettiin tänään.');"
         "print(case.reference)"],
        cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-600:]
    reference = out.stdout.strip().splitlines()[-1]

    def to_resident():
        return [m for rcpt, m in collector.messages if "asukas@example.com" in rcpt]

    wait_for(lambda: len(to_resident()) >= 2, 90, "the receipt and the answer")
    time.sleep(5)  # anything sent twice would arrive by now
    subjects = sorted(m["Subject"] for m in to_resident())
    assert len(subjects) == 2, subjects
    assert all(reference in subject for subject in subjects), subjects
    ids = [m["Message-ID"] for _rcpt, m in collector.messages]
    assert len(ids) == len(set(ids)), "an email was sent twice"
    staff = [m for rcpt, m in collector.messages if "asukas@example.com" not in rcpt]
    assert staff, "the handlers were not told of the new feedback"
    print(f"production smoke: {reference} submitted and resolved; "
          f"{len(collector.messages)} emails, each once")


def _up(client):
    try:
        status, _headers, body = client.request("/palaute/")
    except OSError:
        return False
    if status != 200:
        print(f"production smoke: /palaute/ answered {status}: {body[:300]}")
    return status == 200


if __name__ == "__main__":
    main()
