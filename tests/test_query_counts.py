"""What the public pages and a submission cost in queries (see bench/ for their times)."""

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from PIL import Image
from wagtail.models import Locale

from home.models import ContentPage
from palaute_plugin.models import Feedback, FeedbackPhoto, Notification
from palaute_plugin.public import antispam
from tests.factories import CategoryFactory, GroupFactory, UserFactory, feedback_page

pytestmark = pytest.mark.django_db

#: Wagtail's serving of any page (7: site, locale, the route's three pages, view
#: restrictions), the replay check, the reference (1: UPDATE ... RETURNING), the case,
#: its photo, its log entry (2: Wagtail validates the content type), the staff to notify,
#: all emails in one INSERT, and the test's own savepoint around the transaction (2). It
#: was 28 before the savepoints, staff lookups and email INSERTs were merged, 19 before
#: the reference's RETURNING, 18 while the categories were read from the database (now
#: from the cache, until one changes): 15 in production.
SUBMISSION_MAX_QUERIES = 17


@pytest.fixture(autouse=True)
def photo_root(settings, tmp_path):
    settings.PALAUTE_PHOTO_ROOT = str(tmp_path / "private")
    return tmp_path / "private"


@pytest.fixture
def page():
    return feedback_page()


@pytest.fixture
def content(page):
    return page.get_parent().add_child(instance=ContentPage(
        title="Asuminen", slug="asuminen", body=[("paragraph", "<p>Tekstiä.</p>")]))


def translate(*pages, code):
    locale = Locale.objects.get_or_create(language_code=code)[0]
    for original in pages:
        original.specific.copy_for_translation(locale).save_revision().publish()


def count_queries(client, url):
    client.get(url)  # warm: the form cache and Wagtail's site root paths
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_language_links_cost_the_same_however_many_translations(client, page, content):
    home = page.get_parent()
    translate(home, page, content, code="sv")
    with_one, html = count_queries(client, page.url)
    assert 'hreflang="sv"' in html and 'hreflang="en"' not in html
    translate(home, page, content, code="en")
    with_two, html = count_queries(client, page.url)
    assert 'hreflang="sv"' in html and 'hreflang="en"' in html
    assert with_two == with_one


def test_feedback_page_costs_no_more_queries_than_a_content_page(client, page, content):
    CategoryFactory(name_fi="Katuvalaistus")
    for code in ("sv", "en"):
        translate(page.get_parent(), page, content, code=code)
    feedback_page_queries, html = count_queries(client, page.url)
    content_page_queries, _html = count_queries(client, content.url)
    assert "Katuvalaistus" in html
    assert feedback_page_queries <= content_page_queries


def test_a_republished_feedback_page_renders_its_form_without_reading_categories(
        client, page):
    CategoryFactory(name_fi="Katuvalaistus")
    client.get(page.url)  # the categories and their part of the form are cached
    page.save_revision().publish()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
    assert "Katuvalaistus" in response.content.decode()
    assert not [q for q in captured if "palaute_plugin_feedbackcategory" in q["sql"]]


def with_privacy_page(page):
    """The page's privacy notice is a page of the site, as the city's is: its address is the
    page's own part of the cached form."""
    page.privacy_page = page.get_parent().add_child(instance=ContentPage(
        title="Tietosuoja", slug="tietosuoja", body=[("paragraph", "<p>Rekisteri.</p>")]))
    page.save_revision().publish()  # the form's cache keys name the live revision
    page.refresh_from_db()
    return page


def forget_page_part(page):
    from django.core.cache import cache

    from palaute_plugin.models import current_language
    from palaute_plugin.public.caching import form_cache_keys

    cache.delete_many(form_cache_keys(page, current_language()))


def test_a_form_cache_miss_costs_one_query_more_than_a_hit(client, page, content):
    CategoryFactory(name_fi="Katuvalaistus")
    with_privacy_page(page)
    translate(page.get_parent(), page, content, code="sv")
    hit, hit_html = count_queries(client, page.url)
    client.get(page.url)
    forget_page_part(page)
    with CaptureQueriesContext(connection) as captured:
        miss_html = client.get(page.url).content.decode()
    assert len(captured) == hit + 1  # the privacy page's address: its url_path only
    pages = [q["sql"] for q in captured if q["sql"].split(" WHERE ")[0].endswith(
        'FROM "wagtailcore_page"') and f'"id" = {page.privacy_page_id}' in q["sql"]]
    assert len(pages) == 1
    assert re.fullmatch(r'SELECT "wagtailcore_page"\."url_path"( AS "url_path")?',
                        pages[0].split(" FROM ")[0])
    assert miss_html.count('href="/tietosuoja/"') == hit_html.count('href="/tietosuoja/"') == 1


class CountingCache:
    """Which calls the default cache gets, by name (wrapping the backend's own methods)."""

    NAMES = ("get", "get_many", "set", "set_many", "add", "incr", "delete", "get_or_set")

    def __init__(self, monkeypatch):
        from django.core.cache import caches

        self.calls, self.inside = [], 0
        backend = caches["default"]
        for name in self.NAMES:
            monkeypatch.setattr(backend, name, self.counted(name, getattr(backend, name)))

    def counted(self, name, method):
        def call(*args, **kwargs):
            if not self.inside:  # LocMem's get_many calls its own get for each key
                self.calls.append((name, args[0] if args else None))
            self.inside += 1
            try:
                return method(*args, **kwargs)
            finally:
                self.inside -= 1

        return call


def test_the_form_page_reads_the_cache_once_and_the_site_root_paths_once(
        client, page, content, monkeypatch, settings):
    """On a backend that cannot bring the site root paths in the form's get_many (LocMem,
    pinned): one read for the form, one for the paths, shared by the page's address, its
    routes and every language link."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with_privacy_page(page)
    for code in ("sv", "en"):
        translate(page.get_parent(), page, content, code=code)
    client.get(page.url)
    client.get(content.url)
    counting = CountingCache(monkeypatch)
    html = client.get(page.url).content.decode()
    assert 'hreflang="sv"' in html and 'hreflang="en"' in html
    assert [name for name, _key in counting.calls] == ["get_many", "get"]
    assert counting.calls[1][1] == "wagtail_site_root_paths"
    counting.calls.clear()
    client.get(content.url)
    assert counting.calls == [("get", "wagtail_site_root_paths")]  # its language links too


class FakeRedis:
    """What the form page asks of django-redis' client, kept in a dict; commands recorded."""

    def __init__(self):
        self.data, self.commands = {}, []

    def get(self, key):
        self.commands.append(("GET", key))
        return self.data.get(key)

    def mget(self, *keys):
        self.commands.append(("MGET", *keys))
        return [self.data.get(key) for key in keys]

    def set(self, key, value, nx=False, px=None, xx=False):
        self.commands.append(("SET", key))
        if nx and key in self.data:
            return None
        self.data[key] = value
        return True

    def delete(self, *keys):
        self.commands.append(("DEL", *keys))
        return sum(self.data.pop(key, None) is not None for key in keys)

    def eval(self, script, numkeys, key, delta):  # django-redis' incr
        self.commands.append(("EVAL", key))
        if key not in self.data:
            return None
        self.data[key] = int(self.data[key]) + delta
        return self.data[key]

    def pipeline(self):
        return FakePipeline(self)

    def flushdb(self):
        self.data.clear()


class FakePipeline:
    def __init__(self, redis):
        self.redis, self.queued = redis, []

    def set(self, key, value, nx=False, px=None, xx=False):
        self.queued.append((key, value))

    def execute(self):
        self.redis.commands.append(("PIPELINE", *(key for key, _value in self.queued)))
        self.redis.data.update(self.queued)


def test_on_django_redis_one_mget_brings_the_form_and_the_site_root_paths(
        client, page, content, settings, monkeypatch):
    """Production's backend: a form cache hit is one round trip, a miss two (the MGET and
    the SET of the privacy page's address); the content page's one is its root paths."""
    from django.core.cache import caches

    fake = FakeRedis()
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # never connected
    # This backend's own client only: the site's cache (Redis on CI) keeps its connection.
    monkeypatch.setattr(caches["default"].client, "connect", lambda index=0: fake)
    CategoryFactory(name_fi="Katuvalaistus")
    with_privacy_page(page)
    for code in ("sv", "en"):
        translate(page.get_parent(), page, content, code=code)
    client.get(page.url)
    client.get(content.url)
    paths_key = ":2:wagtail_site_root_paths"  # Wagtail's key version, not ours
    assert paths_key in fake.data
    fake.commands.clear()
    html = client.get(page.url).content.decode()
    assert "Katuvalaistus" in html and 'href="/tietosuoja/"' in html
    assert 'hreflang="sv"' in html and 'hreflang="en"' in html
    assert [command[0] for command in fake.commands] == ["MGET"]
    assert paths_key in fake.commands[0] and ":1:palaute:categories-version" in fake.commands[0]
    forget_page_part(page)
    fake.commands.clear()
    assert 'href="/tietosuoja/"' in client.get(page.url).content.decode()
    assert [command[0] for command in fake.commands] == ["MGET", "SET"]
    fake.commands.clear()
    client.get(content.url)
    assert fake.commands == [("GET", paths_key)]


def jpeg_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile("kuva.jpg", buffer.getvalue(), "image/jpeg")


def test_submission_with_a_photo_stays_within_its_query_budget(
        client, page, django_assert_max_num_queries):
    group = GroupFactory(name="Valaistus")
    responsible = UserFactory(username="vastaava", email="vastaava@tornio.example")
    colleague = UserFactory(username="kollega", email="kollega@tornio.example")
    UserFactory(username="poissa", email="poissa@tornio.example", is_active=False).groups.add(
        group)
    for person in (responsible, colleague):
        person.groups.add(group)
    category = CategoryFactory(name_fi="Katuvalaistus", responsible_person=responsible,
                               handler_group=group, notification_emails="valaistus@tornio.example")

    def data(message="Katuvalo ei pala Hallituskadulla."):
        return {"kind": "feedback", "category": str(category.pk),
                "message": message,
                "contact_email": "maija@example.com",
                "form_token": antispam.issue_form_token(), "photos": [jpeg_upload()]}

    # A running site: the year's reference sequence exists, content types are cached.
    assert client.post(page.url, data()).status_code == 302
    Notification.objects.all().delete()
    with django_assert_max_num_queries(SUBMISSION_MAX_QUERIES):
        with TestCase.captureOnCommitCallbacks(execute=False):
            # Another matter from the same browser (the same text again would be the
            # first case's receipt again: public.views.sent_before).
            response = client.post(page.url, data("Toinenkin katuvalo on pimeänä."))
    assert response.status_code == 302
    feedback = Feedback.objects.latest("pk")
    assert feedback.assignee == responsible and feedback.reference
    assert FeedbackPhoto.objects.filter(feedback=feedback).count() == 1
    recipients = sorted(Notification.objects.values_list("recipient", flat=True))
    assert recipients == ["kollega@tornio.example", "maija@example.com",
                          "valaistus@tornio.example", "vastaava@tornio.example"]
    to_staff = Notification.objects.get(recipient="vastaava@tornio.example")
    assert "Kuvat: 1\n" in to_staff.body_text  # counted without asking the database
    assert mail.outbox == []  # emails are delivered by tasks after commit


def test_a_photo_failing_in_a_submission_leaves_no_case_rows_or_files(page, photo_root,
                                                                      monkeypatch):
    from palaute_plugin import actions
    from palaute_plugin.photos.images import inspect_photo

    category = CategoryFactory(name_fi="Katuvalaistus")
    original_save = FeedbackPhoto.save

    def fail_second(self, *args, **kwargs):
        if self.sort_order == 1:
            raise RuntimeError("database went away")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(FeedbackPhoto, "save", fail_second)
    with pytest.raises(RuntimeError):
        actions.submit_feedback(actions.Submission(
            category=category, message="Katuvalo ei pala.",
            photos=tuple(inspect_photo(jpeg_upload()) for _ in range(2))), page=page)
    assert not Feedback.objects.exists()
    assert not FeedbackPhoto.objects.exists()
    assert not Notification.objects.exists()
    assert not [path for path in photo_root.rglob("*") if path.is_file()]


def test_receipt_costs_the_same_however_many_translations(client, page):
    category = CategoryFactory(name_fi="Katuvalaistus")
    home = page.get_parent()
    translate(home, page, code="sv")
    response = client.post(page.url, {
        "kind": "feedback", "category": str(category.pk), "message": "Katuvalo ei pala.",
        "form_token": antispam.issue_form_token()})
    receipt = response["Location"]
    token = receipt.rstrip("/").rsplit("/", 1)[-1]
    with_one, html = count_queries(client, receipt)
    assert f'href="/sv/palaute/receipt/{token}/" lang="sv"' in html
    translate(home, page, code="en")
    with_two, html = count_queries(client, receipt)
    assert f'href="/en/palaute/receipt/{token}/" lang="en"' in html
    assert with_two == with_one
