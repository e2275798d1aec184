"""The public form's rendered fields are cached until a category or authority changes."""

from django.core.cache import cache

VERSION_KEY = "palaute:categories-version"


def categories_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return version


def bump_categories_version(**kwargs):
    """Signal receiver: any change to categories or authorities invalidates the form."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def form_cache_key(page, language):
    return (f"palaute:form:{page.pk}:{page.latest_revision_id}:{language}:"
            f"{categories_version()}")
