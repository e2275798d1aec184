"""A static files finder for the browser libraries the plugin uses, from their Python packages.

Leaflet (``xstatic-leaflet``) is published as ``leaflet/…`` and jQuery
(``xstatic-jquery``, needed by wagtailgeowidget's map script on the public page)
as ``palaute_plugin/vendor/jquery/…``, so a site that installs the plugin serves
them from its own static files, never from a CDN. Add
``"palaute_plugin.finders.VendorFinder"`` to ``STATICFILES_FINDERS``
(system check ``palaute_plugin.E010`` reminds you).
"""

import xstatic.pkg.jquery
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import get_files
from django.core.files.storage import FileSystemStorage

#: static prefix -> folder of a packaged library
VENDOR_PACKAGES = {
    "leaflet": xstatic.pkg.leaflet.BASE_DIR,
    "palaute_plugin/vendor/jquery": xstatic.pkg.jquery.BASE_DIR,
    "palaute_plugin/vendor/markercluster": xstatic.pkg.leaflet_markercluster.BASE_DIR,
}


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storages = {}
        for prefix, root in VENDOR_PACKAGES.items():
            storage = FileSystemStorage(location=root)
            storage.prefix = prefix
            self.storages[prefix] = storage

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        # Django 5.2 renamed ``all`` to ``find_all``; accept either.
        find_all = find_all or kwargs.get("all", False)
        matches = []
        for prefix, storage in self.storages.items():
            if path.startswith(prefix + "/"):
                relative = path[len(prefix) + 1:]
                if storage.exists(relative):
                    match = storage.path(relative)
                    if not find_all:
                        return match
                    matches.append(match)
        return matches

    def list(self, ignore_patterns):
        for storage in self.storages.values():
            for path in get_files(storage, ignore_patterns):
                yield path, storage
