"""(a) the feedback page's render against a plain content page, on the form cache's hit
and miss paths: the page's own part gone (its privacy page's address looked up again);
the topic list gone (expiry: rendered again from the cached categories); after a category
change before anything is rendered again (the categories read and the topic list
rendered by the request); and after an editor's save (whose commit renders the topic
lists). Emptying a cache or saving a category is done before the request, untimed
(``time_requests_in_turns``); (c) one feedback submission with a phone photo, the
worker's cleaning of that photo included, against a wagtail.contrib.forms submission.

Both are timed in turns (ours, baseline, ours, ...: see ``bench.common``) on the
production cache backend: django-redis configured as in ``cms.settings.base`` when
``REDIS_URL`` is set, else the database cache, never LocMem; ``BENCH_DJANGO_REDIS_CACHE=1``
switches to Django's own Redis backend for comparison (``use_production_cache``). Both sides of (c) end in a rendered page:
ours follows its redirect to the receipt, as a browser does, and the form page
renders its landing page. The photo is a 12-megapixel phone-like JPEG with EXIF
orientation and GPS (``bench.photo_processing.phone_like_jpeg``); the worker's
work is the ``process_photo`` task run right after each submission, in the same
process, and is reported on its own row as well.
"""

import statistics

from bench.common import Row, compare, seconds, time_in_turns

#: A content page, a feedback form and a contrib.forms page, in Finnish, Swedish and English.
LANGUAGES = ("sv", "en")


def use_production_cache():
    """Time on production's cache (``production_cache``); returns its name for the title."""
    from django.core.management import call_command
    from django.test import override_settings

    production, name = production_cache()
    # Django's own setting_changed receiver swaps the cache handlers.
    override_settings(CACHES={"default": production}).enable()
    if "DatabaseCache" in production["BACKEND"]:
        call_command("createcachetable", verbosity=0)
    # No cache.clear(): on Redis that would flush a database others may share.
    # The form's cache key names the page's revision, so nothing stale can be hit.
    return name


def production_cache(environ=None):
    """The cache production has (``cms.settings.base``), and its name: django-redis with its
    options (``redis_cache``) when ``REDIS_URL`` is set, else the database cache; never
    the test settings' LocMem, which would flatter cache hits. ``BENCH_DJANGO_REDIS_CACHE=1``
    times Django's own Redis backend instead (``django.core.cache.backends.redis``), for
    comparison: every row of a run, ours and its baseline, has the same backend."""
    import os

    from cms.settings.base import redis_cache

    environ = os.environ if environ is None else environ
    url = environ.get("REDIS_URL")
    if url and environ.get("BENCH_DJANGO_REDIS_CACHE") == "1":
        production = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        name = "Django's Redis backend (BENCH_DJANGO_REDIS_CACHE=1)"
    elif url:
        production = redis_cache(url)
        name = "django-redis, as in production"
    else:
        production = {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                      "LOCATION": "palaute_cache"}
        name = "the database cache, as in production without REDIS_URL"
    return {**production, "KEY_PREFIX": "palaute-bench"}, name


def build_site():
    from home.models import ContentPage, FormField, FormPage
    from palaute_plugin.public import antispam  # noqa: F401
    from tests.factories import CategoryFactory, UserFactory, feedback_page

    page = feedback_page()
    home = page.get_parent()
    responsible = UserFactory(username="bench", email="bench@tornio.example")
    parent = CategoryFactory(name_fi="Liikenne")
    categories = [CategoryFactory(name_fi=f"Liikenne {i}", parent=parent,
                                  responsible_person=responsible) for i in range(8)]
    content = home.add_child(instance=ContentPage(
        title="Asuminen", slug="asuminen",
        body=[("heading", "Vuokra-asunnot"), ("paragraph", "<p>" + "Tekstiä. " * 80 + "</p>")]))
    # As the city's page has: its privacy notice is a page of the site (looked up when the
    # page's own part of the form is not cached).
    page.privacy_page = home.add_child(instance=ContentPage(
        title="Tietosuoja", slug="tietosuoja", body=[("paragraph", "<p>Rekisteri.</p>")]))
    page.save_revision().publish()  # the form's cache keys name the live revision
    page.refresh_from_db()
    translate(home, page, content)
    form_page = home.add_child(instance=FormPage(
        title="Vapaa palaute", slug="vapaa-palaute", to_address="", from_address="",
        subject="Palaute"))
    for index, (label, field_type) in enumerate(
            [("Nimi", "singleline"), ("Sähköposti", "email"), ("Viesti", "multiline")]):
        FormField.objects.create(page=form_page, sort_order=index, label=label,
                                 field_type=field_type, required=label != "Nimi")
    return page, content, form_page, categories


def translate(home, *pages):
    """Swedish and English copies, as the city's site has: both compared pages then show
    the same language switcher."""
    from wagtail.models import Locale

    for code in LANGUAGES:
        locale = Locale.objects.get_or_create(language_code=code)[0]
        for original in (home, *pages):
            copy = original.specific.copy_for_translation(locale)
            copy.save_revision().publish()


def page_rows(client, page, content, categories, repeat):
    from django.core.cache import cache

    from palaute_plugin.models import current_language
    from palaute_plugin.public.caching import (
        bump_categories_version,
        form_cache_keys,
        topic_cache_key,
    )

    def feedback_page():
        ok(client.get(page.url))

    def content_page():
        ok(client.get(content.url))

    def nothing():
        pass

    def forget_page_part():
        # The page's own part gone (a republish, expiry): its privacy page looked up again.
        cache.delete_many(form_cache_keys(page, current_language()))

    def forget_topic():
        # The topic list gone (expiry, eviction): rendered again from the cached categories.
        cache.delete(topic_cache_key(current_language()))

    def save_a_category():
        # An editor's save: the version bumped, and once it commits (here at once) the
        # categories read again and every language's topic list rendered.
        categories[0].save()

    medians = time_requests_in_turns({
        "hit": (nothing, feedback_page), "miss": (forget_page_part, feedback_page),
        "topic": (forget_topic, feedback_page),
        # The version bumped and nothing rendered yet: the request reads the categories
        # and renders the topic list itself (between a save and its commit's rendering).
        "changed": (bump_categories_version, feedback_page),
        "saved": (save_a_category, feedback_page),
        "content": (nothing, content_page)}, repeat)
    return [
        Row("(a) GET /palaute/, form cache hit, vs a content page", medians["hit"],
            medians["content"], 1.2),
        Row("(a) GET /palaute/, form cache miss, vs a content page", medians["miss"],
            medians["content"], 1.2),
        Row("(a) GET /palaute/, topic list not cached, vs a content page", medians["topic"],
            medians["content"], 1.2),
        Row("(a) GET /palaute/ after a category change, vs a content page",
            medians["changed"], medians["content"], 1.2),
        Row("(a) GET /palaute/ after an editor's category save, vs a content page",
            medians["saved"], medians["content"], 1.2),
    ]


def time_requests_in_turns(steps, repeat, warmup=2):
    """``bench.common.time_in_turns`` for ``name → (prepare, request)``: only ``request()``
    is timed, so that emptying a cache or bumping a version (a Redis round trip of its
    own, the editor's and not the resident's) weighs on no row."""
    return time_in_turns({name: request for name, (_prepare, request) in steps.items()},
                         repeat, warmup,
                         prepare={name: prepare for name, (prepare, _request) in steps.items()})


def publish_some(categories, count=60):
    """Published records as the moderators leave them (three list pages of 20), each of
    an open case with a place: what ``julkiset/`` lists."""
    from django.utils import timezone

    from palaute_plugin.publication.models import FeedbackPublication
    from tests.factories import FeedbackFactory

    now = timezone.now()
    for index in range(count):
        case = FeedbackFactory(category=categories[index % len(categories)],
                               latitude=65.84 + index / 10_000, longitude=24.14,
                               publish_consent=True)
        FeedbackPublication.objects.create(
            feedback=case, reference=case.reference, title=f"Katuvalo ei pala {index}",
            text="Katuvalo ei pala. " * 8, category_id=case.category_id, kind=case.kind,
            latitude=case.latitude, longitude=case.longitude, live=True,
            first_published_at=now, shown_status=case.status)


def published_list_rows(client, page, content, repeat):
    """``julkiset/`` caches its body under the publications' version: a hit, and a miss
    after a publication changed (the version bumped, as publishing does)."""
    from palaute_plugin.publication.actions import bump_publications_version

    url = page.url + "julkiset/"

    def list_page():
        ok(client.get(url))

    def content_page():
        ok(client.get(content.url))

    def nothing():
        pass

    # The miss's version bump (as publishing does) is made before its request, untimed.
    medians = time_requests_in_turns({"hit": (nothing, list_page),
                                      "miss": (bump_publications_version, list_page),
                                      "content": (nothing, content_page)}, repeat)
    return [
        Row("(a) GET /palaute/julkiset/ (20 of 60), cache hit, vs a content page",
            medians["hit"], medians["content"], 1.5),
        Row("(a) GET /palaute/julkiset/ (20 of 60), cache miss, vs a content page",
            medians["miss"], medians["content"], 1.5),
    ]


def submission_rows(client, page, form_page, categories, repeat):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from bench.photo_processing import phone_like_jpeg
    from palaute_plugin.models import FeedbackPhoto
    from palaute_plugin.photos import store
    from palaute_plugin.public import antispam

    photo = phone_like_jpeg()
    post_times, worker_times = [], []

    def submit():
        data = {"kind": "feedback", "category": str(categories[0].pk),
                "message": "Katuvalo ei pala Hallituskadulla.",
                "contact_email": "asukas@example.com",
                "form_token": antispam.issue_form_token(),
                "photos": [SimpleUploadedFile("IMG_0001.JPG", photo, "image/jpeg")]}
        response = client.post(page.url, data, follow=True)
        assert response.redirect_chain and response.status_code == 200, response.status_code

    def submit_and_clean():
        post_times.append(seconds(submit))
        worker_times.append(seconds(clean_waiting_photos))

    def clean_waiting_photos():
        pending = FeedbackPhoto.objects.filter(state=FeedbackPhoto.State.PROCESSING)
        for pk in pending.values_list("pk", flat=True):
            assert store.process_photo(pk) == FeedbackPhoto.State.READY

    def legacy():
        # The free-form page has the feedback form's time token too (and a receipt email).
        ok(client.post(form_page.url, {"nimi": "Maija", "sahkoposti": "asukas@example.com",
                                       "viesti": "Katuvalo ei pala.",
                                       "form_token": antispam.issue_form_token()}))

    with override_settings(PALAUTE_RATE_LIMIT="1000000/h", PALAUTE_SITE_RATE_LIMIT="1000000/h"):
        both = compare("(c) feedback POST + 12 Mpx phone JPEG, worker's cleaning included",
                       submit_and_clean, legacy, 3, repeat)
    # The first ``warmup`` calls were not timed by ``compare``; drop them here too.
    post, worker = (statistics.median(times[-repeat:]) for times in (post_times, worker_times))
    web_tier = Row("(c) the same, web tier only (POST + receipt) vs contrib.forms", post,
                   both.base, 3)
    both.note = (f"of which the worker's cleaning: {worker * 1000:.0f} ms, "
                 f"{1 / worker:.1f} photos/s per worker process")
    return [both, web_tier]


def ok(response):
    assert response.status_code == 200, response.status_code


#: The groups of rows, as ``--only`` names them.
GROUPS = ("feedback", "julkiset", "submission")


def run(repeat=15, only=GROUPS):
    from django.test import Client

    from palaute_plugin.models import Feedback

    backend = use_production_cache()
    page, content, form_page, categories = build_site()
    client = Client()
    rows = []
    if "feedback" in only:
        rows += page_rows(client, page, content, categories, repeat)
    if "julkiset" in only:
        publish_some(categories)
        rows += published_list_rows(client, page, content, repeat)
    if "submission" in only:
        rows += submission_rows(client, page, form_page, categories, repeat)
        assert Feedback.objects.exists()
        purge_queue()
    return backend, rows


def purge_queue():
    """Drop the tasks the submissions queued (emails, photos): no worker runs them here."""
    from django_q.brokers import get_broker

    get_broker().purge_queue()


def main(argv=None):
    import argparse
    import logging
    import sys

    from bench.common import exit_status, print_rows, setup_django, teardown_django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything is flagged")
    parser.add_argument("--only", action="append", choices=GROUPS,
                        help="only this group of rows (repeatable; default all)")
    args = parser.parse_args(argv)
    setup_django()
    logging.disable(logging.WARNING)
    try:
        backend, rows = run(only=args.only or GROUPS)
        print_rows(f"Web (median of 15, in turns, Django test client, cache: {backend})", rows)
    finally:
        teardown_django()
    sys.exit(exit_status(rows, args.strict))


if __name__ == "__main__":
    main()
