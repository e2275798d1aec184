"""The public form's rendered fields, and the categories it lists, are cached until a
category or authority changes."""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver

from ..cache_versions import CacheVersion
from ..models import FeedbackCategory, OtherAuthority

VERSION_KEY = "palaute:categories-version"
TIMEOUT = 60 * 60


#: Any change to categories or authorities invalidates the form (signal receivers in apps.py).
CATEGORIES = CacheVersion(VERSION_KEY)
categories_version = CATEGORIES.current
bump_categories_version = CATEGORIES.bump


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
    return _versioned(categories_cache_key(), lambda: list(
        FeedbackCategory.objects.active().select_related("parent", "other_authority")
        .order_by("sort_order", "name_fi")))


def form_cache_key(page, language):
    # The live revision and publish time change with every publish, including a
    # workflow approving an existing revision.
    published = page.last_published_at.timestamp() if page.last_published_at else 0
    return f"palaute:form:{page.pk}:{page.live_revision_id}:{published}:{language}"


def cached_form_html(page, language, render):
    """The form's fields for ``page`` in ``language``, rendered by ``render()`` on a miss."""
    return _versioned(form_cache_key(page, language), render)


def cached_topic_html(language, render):
    """The form's topic list with its notices in ``language``, rendered by ``render()``
    once per categories version for every page (a page's own form is rendered from it)."""
    return _versioned(f"palaute:form-topic:{_schema_fingerprint()}:{language}", render)


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
    """``render()``'s HTML, rendered once per process for ``key`` (which names the language).

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
