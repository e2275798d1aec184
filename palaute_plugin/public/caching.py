"""The public form's rendered fields are cached until a category or authority changes."""

from django.core.cache import cache

from ..cache_versions import CacheVersion

VERSION_KEY = "palaute:categories-version"
TIMEOUT = 60 * 60


#: Any change to categories or authorities invalidates the form (signal receivers in apps.py).
CATEGORIES = CacheVersion(VERSION_KEY)
categories_version = CATEGORIES.current
bump_categories_version = CATEGORIES.bump


def form_cache_key(page, language):
    # The live revision and publish time change with every publish, including a
    # workflow approving an existing revision.
    published = page.last_published_at.timestamp() if page.last_published_at else 0
    return f"palaute:form:{page.pk}:{page.live_revision_id}:{published}:{language}"


def cached_form_html(page, language, render):
    """The form's fields for ``page`` in ``language``, rendered by ``render()`` on a miss.

    The entry holds the categories version it was rendered at, so that the version
    and the HTML come back in one cache round trip (``get_many``).
    """
    key = form_cache_key(page, language)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = categories_version()
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    html = render()
    cache.set(key, (version, html), timeout=TIMEOUT)
    return html
