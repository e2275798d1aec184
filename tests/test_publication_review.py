"""Review fixes of the public pages: normalised cache keys, publication history scoped
to those who may see it, and the page's view restrictions on the GeoJSON and the list."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry, PageViewRestriction

from palaute_plugin.public.published import list_query_key, round_bbox
from palaute_plugin.publication.log_entries import PublicationLogEntry

from .factories import feedback_page
from .publication_fixtures import approve, proposed

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return feedback_page()


@pytest.fixture
def published(workflow, handler, moderator, personal_case):
    return approve(proposed(personal_case, handler), moderator)


# --- cache keys --------------------------------------------------------------------------


def test_list_key_keeps_known_parameters_only_in_one_order():
    plain = list_query_key(QueryDict("status=new&category=3"))
    assert plain == list_query_key(QueryDict("category=03&utm=x&status=new&zzz=1&page=1"))
    assert plain != list_query_key(QueryDict("status=new&category=4"))


def test_list_key_bounds_page_numbers_and_ignores_junk_pages():
    assert list_query_key(QueryDict("page=abc")) == list_query_key(QueryDict(""))
    assert (list_query_key(QueryDict("page=99999999"))
            == list_query_key(QueryDict("page=99999998")))
    assert list_query_key(QueryDict("page=2")) == "page=2"


def test_bbox_is_rounded_outwards_and_capped():
    assert round_bbox((65.8412, 24.1109, 65.8588, 24.1391)) == (65.84, 24.11, 65.86, 24.14)
    assert round_bbox((-90.0, -180.0, 90.0, 180.0)) == (-90.0, -180.0, 90.0, 180.0)


@pytest.fixture
def locmem_cache(settings):
    """A LocMemCache, whose keys the tests count (``cache._cache``), whatever the suite's
    cache backend (Redis on the PostgreSQL run)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "publication-review"}}


def test_junk_parameters_are_served_from_the_same_cache_entry(client, page, published,
                                                             locmem_cache):
    url = page.url + "julkiset/"
    cache.clear()
    client.get(url + "?status=new")
    keys_before = len(cache._cache)  # LocMemCache: the keys it holds
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url + "?zz=1&status=new&utm_source=spam")
    assert response.status_code == 200 and published.title in response.content.decode()
    assert len(cache._cache) == keys_before
    with CaptureQueriesContext(connection) as fresh:
        cache.clear()
        client.get(url + "?status=new")
    assert len(queries) < len(fresh)


def test_nearby_boxes_share_the_geojson_cache(client, page, published, locmem_cache):
    geojson = page.url + "julkiset/kartta.geojson?bbox="
    cache.clear()
    first = client.get(geojson + "65.8411,24.1101,65.8587,24.1499")
    keys = len(cache._cache)
    second = client.get(geojson + "65.8412,24.1102,65.8588,24.1498&junk=1")
    assert first.content == second.content and len(cache._cache) == keys
    assert [f["properties"]["reference"] for f in json.loads(second.content)["features"]] == [
        published.reference]


# --- site history ------------------------------------------------------------------------


SITE_HISTORY = "wagtailadmin_reports:site_history"


def test_publication_steps_are_logged_in_their_own_table(published):
    assert PublicationLogEntry.objects.for_instance(published).filter(
        action="wagtail.publish").exists()
    assert not ModelLogEntry.objects.filter(
        content_type__model="feedbackpublication").exists()


def test_site_history_shows_publications_only_to_those_who_may_see_them(
        client, published, handler, housing_handler, moderator):
    for user, sees in ((handler, True), (moderator, True), (housing_handler, False)):
        client.force_login(user)
        response = client.get(reverse(SITE_HISTORY))
        assert response.status_code == 200
        assert (published.title in response.content.decode()) is sees, user.username


def test_publication_history_view_still_lists_its_steps(client, published, moderator):
    client.force_login(moderator)
    url = reverse("wagtailsnippets_palaute_plugin_feedbackpublication:history",
                  args=[published.pk])
    response = client.get(url)
    assert response.status_code == 200 and "Published" in response.content.decode()


# --- view restrictions ------------------------------------------------------------------------


def restrict(page, kind):
    return PageViewRestriction.objects.create(page=page, restriction_type=kind,
                                              password="salasana")


@pytest.mark.parametrize("kind", [PageViewRestriction.PASSWORD, PageViewRestriction.LOGIN])
def test_restricted_page_keeps_its_geojson_and_list_private(client, page, published, kind):
    restrict(page, kind)
    geojson = client.get(page.url + "julkiset/kartta.geojson?bbox=65.8,24.1,65.9,24.2")
    assert geojson.status_code == 403
    assert published.reference not in geojson.content.decode()
    for path in ("julkiset/", f"julkiset/{published.reference}/", "julkiset/lahella/"):
        response = client.get(page.url + path)
        assert published.title not in response.content.decode(), path


def test_logged_in_user_gets_the_geojson_of_a_login_restricted_page(client, page, published,
                                                                   handler):
    restrict(page, PageViewRestriction.LOGIN)
    client.force_login(handler)
    response = client.get(page.url + "julkiset/kartta.geojson?bbox=65.8,24.1,65.9,24.2")
    assert response.status_code == 200
    assert published.reference in response.content.decode()


def test_migration_moves_earlier_publication_entries_to_their_own_table(published, moderator):
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    migration = importlib.import_module("palaute_plugin.migrations.0004_metoo")
    content_type = ContentType.objects.get_for_model(published)
    old = ModelLogEntry.objects.create(
        content_type=content_type, object_id=str(published.pk), label=published.title,
        action="wagtail.edit", timestamp=published.first_published_at, user=moderator)
    before = PublicationLogEntry.objects.count()
    migration.move_publication_log_entries(apps, None)
    assert not ModelLogEntry.objects.filter(pk=old.pk).exists()
    assert PublicationLogEntry.objects.count() == before + 1
    moved = PublicationLogEntry.objects.order_by("-pk").first()
    assert (moved.action, moved.user, moved.object_id, moved.label) == (
        "wagtail.edit", moderator, str(published.pk), published.title)
