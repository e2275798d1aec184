import pytest
from django.core.cache import cache

from .admin_fixtures import (  # noqa: F401  (fixtures shared by the staff-side tests)
    admin_photo_root,
    colleague,
    handler,
    handler_client,
    housing,
    housing_case,
    housing_handler,
    street_case,
    streets,
)
from .publication_fixtures import (  # noqa: F401  (fixtures of the publication tests)
    moderator,
    moderators,
    personal_case,
    workflow,
)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache (Redis on CI): start every test clean."""
    cache.clear()
    yield
    cache.clear()
