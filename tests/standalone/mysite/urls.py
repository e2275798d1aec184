from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # The public map's GeoJSON (a path with a dot), before Wagtail's pages.
    path("", include("palaute_plugin.urls")),
    # The feedback page is a Wagtail page: Wagtail's own URLs serve it and its routes.
    path("", include(wagtail_urls)),
]
