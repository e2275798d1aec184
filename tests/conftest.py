import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache (Redis on CI): start every test clean."""
    cache.clear()
    yield
    cache.clear()
