"""Version numbers in the shared cache: a cached page's key includes one, so bumping it
on a change makes every web process render afresh (nothing to find and delete)."""

import time

from django.core.cache import cache


class CacheVersion:
    def __init__(self, key):
        self.key = key

    def current(self):
        version = cache.get(self.key)
        if version is None:
            # Never a small number again: if the key was evicted, entries cached under an
            # earlier version must not match the new one.
            cache.add(self.key, time.time_ns(), timeout=None)
            version = cache.get(self.key)
        return version

    def bump(self, **kwargs):
        """Also a signal receiver (``**kwargs``)."""
        try:
            cache.incr(self.key)
        except ValueError:
            cache.set(self.key, time.time_ns(), timeout=None)


def current_versions(keys):
    """{key: version} of many version keys in one round trip (two when some were
    missing: those are started as ``CacheVersion.current`` starts one)."""
    versions = cache.get_many(keys)
    missing = [key for key in keys if key not in versions]
    if missing:
        for key in missing:
            cache.add(key, time.time_ns(), timeout=None)
        versions.update(cache.get_many(missing))
    return versions

