"""URLs that Wagtail's page serving cannot reach: the public map's GeoJSON has a dot.

Include before Wagtail's own URLs (inside ``i18n_patterns`` when the site uses it)::

    path("", include("palaute_plugin.urls")),
"""

from django.urls import re_path

from .public.published import geojson_dispatch

urlpatterns = [
    re_path(r"^(?P<page_path>(?:[\w\-]+/)*)julkiset/kartta\.geojson$", geojson_dispatch,
            name="palaute_published_geojson"),
]
