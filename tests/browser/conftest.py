"""Playwright fixtures: Debian's Chromium against pytest-django's ``live_server``.

One browser per session, a new context per test. Every context blocks requests that
do not go to the live server and the test fails if a page tried to make one.
"""

import os

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM
# calls from such a thread unless told otherwise (scripts/test.sh sets this too).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402
from wagtail.models import Locale, Page  # noqa: E402

from tests.factories import CategoryFactory, feedback_page  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_TESTS = Path(__file__).resolve().parent
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser is a browser test (``-m "not browser"`` skips them)."""
    for item in items:
        if BROWSER_TESTS in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = (f"{CHROMIUM} is missing: install Debian's chromium package "
                  "(`apt-get install chromium`; `playwright install` cannot download here)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


#: The pages' scripts wait this long at most before a request (a typed place's lookup).
QUIET_SECONDS = 0.8


def settle(contexts, in_flight, last_request, seconds=5):
    """Wait until the pages' requests are answered and none came for ``QUIET_SECONDS``
    (at most ``seconds``). The in-memory test database's one connection is shared with
    the live server: a request still running there (an address lookup after the last pin
    move) committed in the middle of the teardown's flush, which then failed with
    "FOREIGN KEY constraint failed" (seen once in CI)."""
    pages = [page for context in contexts for page in context.pages if not page.is_closed()]
    deadline = time.monotonic() + seconds
    while pages and time.monotonic() < deadline and (
            in_flight or time.monotonic() - last_request[0] < QUIET_SECONDS):
        pages[0].wait_for_timeout(50)  # lets Playwright deliver the answers' events


@pytest.fixture
def new_context(browser, live_server, photo_root):
    """``new_context(**options)``: a fi-FI context, phone-sized unless options say else.

    Requests to anything but the live server are aborted and recorded; the test
    fails at teardown if there were any, if a page raised a JavaScript error, or if
    the browser reported a Content-Security-Policy violation.
    """
    contexts, blocked, js_errors, csp_violations = [], [], [], []
    in_flight = set()  # requests the page made whose answer has not arrived
    last_request = [0.0]  # when the last one was made (time.monotonic())

    def started(request):
        in_flight.add(request)
        last_request[0] = time.monotonic()
    allowed = (live_server.url, f"blob:{live_server.url}", "data:")

    def guard(route):
        url = route.request.url
        if url.startswith(allowed):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    def make(**options):
        context = browser.new_context(
            base_url=live_server.url, **{**PHONE, "locale": "fi-FI", **options})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.route("**/*", guard)
        context.on("request", started)
        context.on("requestfinished", lambda request: in_flight.discard(request))
        context.on("requestfailed", lambda request: in_flight.discard(request))
        context.on("page", lambda page: page.on(
            "pageerror", lambda error: js_errors.append(f"{page.url}: {error.stack or error}")))
        context.on("console", lambda message: csp_violations.append(
            f"{message.page.url if message.page else ''}: {message.text}")
            if "Content Security Policy" in message.text else None)
        contexts.append(context)
        return context

    make.js_errors = js_errors  # a test may check (and clear) them itself
    yield make
    settle(contexts, in_flight, last_request)
    for context in contexts:
        context.close()
    if blocked:
        pytest.fail(f"The page tried to reach outside the live server: {blocked}")
    if js_errors:
        pytest.fail(f"JavaScript errors on the page: {js_errors}")
    if csp_violations:
        pytest.fail(f"Content-Security-Policy violations: {csp_violations}")


@pytest.fixture
def phone(new_context):
    """A page in a phone-sized context."""
    return new_context().new_page()


def ensure_page_tree_root():
    """Put back the page tree's root that a Wagtail migration made.

    Transactional tests end with a flush, which takes the root with it.
    (``serialized_rollback`` cannot restore it here: once Playwright runs an event
    loop in the test thread, Django's connection is a context-local copy that does
    not carry the serialized data.)
    """
    locale, _ = Locale.objects.get_or_create(language_code=django_settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


@pytest.fixture
def form_page(live_server):
    """The feedback page at /palaute/, made in each test (the flush removes it)."""
    ensure_page_tree_root()
    return feedback_page()


@pytest.fixture
def categories(form_page, responsible):
    """A top-level group with one child (an ``<optgroup>``) and a lone category."""
    streets = CategoryFactory(name_fi="Kadut", name_sv="Gator", name_en="Streets",
                              sort_order=1)
    lighting = CategoryFactory(name_fi="Katuvalaistus", name_sv="Gatubelysning",
                               name_en="Street lighting", parent=streets,
                               responsible_person=responsible, sort_order=2)
    other = CategoryFactory(name_fi="Muu asia", name_sv="Annat", name_en="Other",
                            sort_order=3)
    return {"group": streets, "lighting": lighting, "other": other}


@pytest.fixture
def form_url(live_server, form_page):
    return live_server.url + "/palaute/"
