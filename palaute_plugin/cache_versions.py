"""Version numbers in the shared cache: a cached page's key includes one, so bumping it
on a change makes every web process render afresh (nothing to find and delete)."""

from django.core.cache import cache


class CacheVersion:
    def __init__(self, key):
        self.key = key

    def current(self):
        version = cache.get(self.key)
        if version is None:
            version = 1
            cache.add(self.key, version, timeout=None)
        return version

    def bump(self, **kwargs):
        """Also a signal receiver (``**kwargs``)."""
        try:
            cache.incr(self.key)
        except ValueError:
            cache.set(self.key, 2, timeout=None)
