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
    # The live revision and publish time change with every publish, including a
    # workflow approving an existing revision.
    published = page.last_published_at.timestamp() if page.last_published_at else 0
    return (f"palaute:form:{page.pk}:{page.live_revision_id}:{published}:{language}:"
            f"{categories_version()}")
