"""bench.web times on the cache production has (its figures are only as true as that)."""

from bench.web import production_cache
from cms.settings.base import redis_cache

URL = "redis://127.0.0.1:6379/3"


def test_with_redis_the_bench_uses_django_redis_configured_as_production():
    cache, name = production_cache({"REDIS_URL": URL})
    assert cache == {**redis_cache(URL), "KEY_PREFIX": "palaute-bench"}
    assert cache["BACKEND"] == "django_redis.cache.RedisCache"
    assert cache["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert name == "django-redis, as in production"


def test_a_flag_switches_to_djangos_own_redis_backend_for_comparison():
    cache, name = production_cache({"REDIS_URL": URL, "BENCH_DJANGO_REDIS_CACHE": "1"})
    assert cache == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": URL, "KEY_PREFIX": "palaute-bench"}
    assert "BENCH_DJANGO_REDIS_CACHE=1" in name
    assert production_cache({"REDIS_URL": URL, "BENCH_DJANGO_REDIS_CACHE": "0"})[0][
        "BACKEND"] == "django_redis.cache.RedisCache"


def test_without_redis_the_bench_uses_the_database_cache_never_locmem():
    cache, _name = production_cache({"BENCH_DJANGO_REDIS_CACHE": "1"})
    assert cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
