"""Map widgets with Leaflet served from our own static files (never a CDN).

``LocalLeafletField`` is wagtailgeowidget's ``LeafletField`` with its media
pointing at the files ``finders.VendorFinder`` serves. In the admin, Wagtail's
JavaScript boots it; on public pages ``public.widgets.ResidentMapWidget`` adds
our own boot script.
"""

from django import forms
from django.utils.functional import cached_property
from wagtailgeowidget.widgets import LeafletField

LEAFLET_CSS = ("leaflet/leaflet.css", "wagtailgeowidget/css/leaflet-field.css")
LEAFLET_JS = ("leaflet/leaflet.js",)


class LocalLeafletField(LeafletField):
    """wagtailgeowidget's ``LeafletField`` with Leaflet from the ``xstatic-leaflet`` package."""

    srid = 4326  # so the map writes ``SRID=4326;POINT(lon lat)``, as geo.parse_point reads

    @cached_property
    def media(self):
        # The admin has jQuery and Stimulus already; its controller boots the map.
        return forms.Media(
            css={"all": LEAFLET_CSS},
            js=(*LEAFLET_JS, "wagtailgeowidget/js/leaflet-field-controller.js"),
        )
