"""URLs that Wagtail's page serving cannot reach: the public map's GeoJSON has a dot,
and the Open311 API (``/open311/v2/``) is not a page.

Include before Wagtail's own URLs (inside ``i18n_patterns`` when the site uses it)::

    path("", include("palaute_plugin.urls")),
"""

from django.urls import include, path, re_path

from .public.published import geojson_dispatch

urlpatterns = [
    path("open311/v2/", include("palaute_plugin.open311.urls")),
    re_path(r"^(?P<page_path>(?:[\w\-]+/)*)julkiset/kartta\.geojson$", geojson_dispatch,
            name="palaute_published_geojson"),
]
