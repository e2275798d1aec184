"""The public form's rendered fields, and the categories it lists, are cached until a
category or authority changes."""

import functools
import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache, caches
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from wagtail.models.sites import (
    SITE_ROOT_PATHS_CACHE_KEY,
    SITE_ROOT_PATHS_CACHE_VERSION,
    SiteRootPath,
)

from ..cache_versions import CacheVersion
from ..models import LANGUAGE_CHOICES, FeedbackCategory, OtherAuthority

logger = logging.getLogger(__name__)

VERSION_KEY = "palaute:categories-version"
TIMEOUT = 60 * 60


#: Any change to categories or authorities invalidates the form (signal receivers in apps.py).
CATEGORIES = CacheVersion(VERSION_KEY)
categories_version = CATEGORIES.current
bump_categories_version = CATEGORIES.bump


def categories_changed(**kwargs):
    """Receiver of every category and authority save and delete (``apps.py``).

    The cached categories and topic lists are stale at once (the version). Once the
    change commits, the version is bumped again (a request between the first bump and
    the commit read the categories as they were) and every language's topic list is
    rendered anew, so that no resident waits for it: once per transaction, however
    many categories it saved.
    """
    bump_categories_version()
    connection = transaction.get_connection()
    if any(entry[1] is _after_categories_commit for entry in connection.run_on_commit):
        return
    transaction.on_commit(_after_categories_commit, robust=True)


def _after_categories_commit():
    bump_categories_version()
    try:
        warm_form_topics()
    except Exception:  # the next request renders them; the editor's save stands
        logger.exception("Could not render the form's topic lists after a category change.")


def warm_form_topics():
    """The active categories and each language's topic list, cached for the current
    categories version."""
    from .views import render_topic  # it imports this module

    version = categories_version()
    categories = query_categories()
    writes = {categories_cache_key(): (version, categories)}
    for code, _name in LANGUAGE_CHOICES:
        with translation.override(code):
            writes[topic_cache_key(code)] = (version, render_topic(categories))
    cache.set_many(writes, timeout=TIMEOUT)


def categories_cache_key():
    """Names the models' columns: after a deploy that changes them, nothing pickled
    before is read back."""
    return f"palaute:categories:{_schema_fingerprint()}"


@functools.cache
def _schema_fingerprint():
    columns = [f"{model.__name__}.{field.attname}" for model in (FeedbackCategory, OtherAuthority)
               for field in model._meta.concrete_fields]
    return hashlib.sha256(" ".join(columns).encode()).hexdigest()[:12]


def active_categories():
    """The active categories in the form's order, with their group and other authority.

    Read from the database once per categories version and then from the shared
    cache: the form's options on a cache miss and every submission's check of the
    chosen topic need no query.
    """
    return _versioned(categories_cache_key(), query_categories)


def query_categories():
    return list(FeedbackCategory.objects.active().select_related("parent", "other_authority")
                .order_by("sort_order", "name_fi"))


def form_cache_key(page, language, site_id=None):
    """The page's own part of its form (what a page's fields show of the page itself),
    as served on the site ``site_id`` (its links are relative to that site's)."""
    # The live revision and publish time change with every publish, including a
    # workflow approving an existing revision.
    published = page.last_published_at.timestamp() if page.last_published_at else 0
    return (f"palaute:form-page:{page.pk}:{page.live_revision_id}:{published}:{language}"
            f":{site_id}")


def form_cache_keys(page, language):
    """The page's own part of its form on every site (and without one)."""
    from wagtail.models import Site

    return [form_cache_key(page, language, site_id)
            for site_id in (None, *Site.objects.values_list("pk", flat=True))]


def topic_cache_key(language):
    return f"palaute:form-topic-parts:{_schema_fingerprint()}:{language}"


def cached_form_parts(language, render_topic, page_key=None, page_value=None, request=None):
    """The form's topic for ``language`` and the page's own value, in one round trip when
    both are cached: ``(topic, page's value)``.

    The topic (``render_topic(categories)``: the category list, its notices, anything
    the categories decide) is kept for every page under the categories version; the
    page's value (``page_value()``, under ``page_key``) for the page's live revision.
    Whatever has to be computed is written back in one round trip too.

    With a ``request``, the same round trip brings Wagtail's site root paths (every page
    address and the language links need them) where the cache can carry them among our
    keys (``_site_root_paths_key``); they are kept on the request, where Wagtail looks for
    them, before ``page_value()`` runs.
    """
    topic_key = topic_cache_key(language)
    paths_key = _site_root_paths_key() if request is not None and not hasattr(
        request, "_wagtail_cached_site_root_paths") else None
    keys = [VERSION_KEY, topic_key, *(key for key in (page_key, paths_key) if key)]
    found = cache.get_many(keys)
    if paths_key is not None and found.get(paths_key) is not None:
        # As Site.get_site_root_paths() turns what the cache gives back into its tuples.
        request._wagtail_cached_site_root_paths = [
            SiteRootPath(*paths) for paths in found[paths_key]]
    version = found.get(VERSION_KEY)
    if version is None:
        version = categories_version()
    writes = {}
    topic = found.get(topic_key)
    if topic is None or topic[0] != version:
        categories_key = categories_cache_key()
        entry = cache.get(categories_key)
        if entry is not None and entry[0] == version:
            categories = entry[1]
        else:
            categories = query_categories()
            writes[categories_key] = (version, categories)
        topic = writes[topic_key] = (version, render_topic(categories))
    value = None
    if page_key:
        value = found.get(page_key)
        if value is None:
            value = writes[page_key] = page_value()
    if len(writes) > 1:
        cache.set_many(writes, timeout=TIMEOUT)
    elif writes:  # (``set_many`` is a MULTI/EXEC pipeline: one key costs more that way)
        cache.set(*writes.popitem(), timeout=TIMEOUT)
    return topic[1], value


def _site_root_paths_key():
    """Wagtail's site root paths' key as the cache stores it (under Wagtail's own key
    version), when ``get_many`` can take it among keys of the default version; else
    ``None`` (Wagtail then reads it with a ``GET`` of its own).

    django-redis (production's backend) takes a key it made already (its ``CacheKey``)
    as it is. Django's own backends make every key of a ``get_many`` with one version.
    """
    try:
        from django_redis.client import DefaultClient
    except ImportError:  # (a requirement; a site may do without it)
        return None
    client = getattr(caches["default"], "client", None)
    if type(client) is not DefaultClient:  # not django-redis, or a sharding client
        return None
    return client.make_key(SITE_ROOT_PATHS_CACHE_KEY, version=SITE_ROOT_PATHS_CACHE_VERSION)


def _versioned(key, compute):
    """``compute()``'s value, kept under ``key`` with the categories version it was computed
    at, so that the version and the value come back in one cache round trip."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = categories_version()
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = compute()
    cache.set(key, (version, value), timeout=TIMEOUT)
    return value


#: Rendered HTML that depends on nothing but the code, the settings and the language:
#: kept in each process (see ``rendered_once``).
_PROCESS_FRAGMENTS = {}


def rendered_once(key, render):
    """``render()``'s HTML (or parts of it), rendered once per process for ``key`` (which
    names the language).

    For what is the same for every visitor and every page (the form's own fields): no
    shared cache round trip, and nothing to invalidate but settings (tests override them)
    and templates (under DEBUG the development server reloads them: nothing is kept).
    """
    if settings.DEBUG:
        return render()
    html = _PROCESS_FRAGMENTS.get(key)
    if html is None:
        html = _PROCESS_FRAGMENTS[key] = render()
    return html


@receiver(setting_changed)
def forget_process_fragments(**kwargs):
    _PROCESS_FRAGMENTS.clear()


_SLOT = re.compile(r"\{palaute-slot:(\w+)\}")


def slot(name):
    """A stand-in, in a skeleton's context, for a value ``fill`` puts in afterwards.

    Autoescaping leaves it as it is; a value used through a filter would not be put in
    (the tests compare a filled skeleton with a fresh render).
    """
    return f"{{palaute-slot:{name}}}"


def skeleton(key, render):
    """``render()``'s HTML split at its ``slot``s, rendered once per process for ``key``
    (``rendered_once``): the texts between the slots and the slots' names, alternately."""
    return rendered_once(key, lambda: _SLOT.split(render()))


def fill(parts, values):
    """A ``skeleton``'s HTML with each slot's value, escaped as ``{{ value }}`` would be."""
    html = list(parts)
    for index in range(1, len(html), 2):
        html[index] = conditional_escape(values[html[index]])
    return mark_safe("".join(html))  # noqa: S308 (our own rendering, values escaped)
