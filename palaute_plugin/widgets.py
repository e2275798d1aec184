"""Map widgets with Leaflet served from our own static files (never a CDN).

``LocalLeafletField`` is wagtailgeowidget's ``LeafletField`` with its media
pointing at the files ``finders.VendorFinder`` serves. In the admin, Wagtail's
JavaScript boots it; on public pages ``public.widgets.ResidentMapWidget`` adds
our own boot script.
"""

import json

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtailgeowidget.widgets import LeafletField

from .geo import map_center

LEAFLET_CSS = ("leaflet/leaflet.css", "wagtailgeowidget/css/leaflet-field.css")
#: Leaflet, then its words in the page's language (``map-words.js``, which reads them from
#: ``data-palaute-map-words``: ``leaflet_words_json``).
LEAFLET_JS = ("leaflet/leaflet.js", "palaute_plugin/js/map-words.js")

#: Leaflet's own words on every map: the zoom buttons, a marker's alt text and the
#: attribution's links.
LEAFLET_WORDS = {
    "zoomIn": _("Zoom in"),
    "zoomOut": _("Zoom out"),
    "marker": _("Pin on the map"),
    "leaflet": _("A JavaScript library for interactive maps"),
    # OpenStreetMap's attribution, where a map has the default one (a tile server of the
    # city's own keeps its attribution as set).
    "osm": _("OpenStreetMap contributors"),
}


#: wagtailgeowidget's own words, which it translates once at import (in the language
#: active then, for every later page): here in the language of the page shown.
GEOWIDGET_WORDS = {
    "error_message_invalid_location": _(
        "Invalid location coordinate, use Latitude and Longitude (example: 59.329,18.06858)"),
    "success_address_geocoded": _("Address has been successfully geo-coded"),
    "error_could_not_geocode_address": _(
        "Could not geocode address '%s'. The map may not be in sync with the address entered."),
    "enter_location": _("Enter a location"),
    "initialize_map": _("Click here to initialize map"),
}


def leaflet_words_json():
    """``LEAFLET_WORDS`` in the active language, as JSON for ``data-palaute-map-words``."""
    return json.dumps({key: str(text) for key, text in LEAFLET_WORDS.items()})


class LocalLeafletField(LeafletField):
    """wagtailgeowidget's ``LeafletField`` with Leaflet from the ``xstatic-leaflet`` package."""

    srid = 4326  # so the map writes ``SRID=4326;POINT(lon lat)``, as geo.parse_point reads

    def build_attrs(self, *args, **kwargs):
        attrs = super().build_attrs(*args, **kwargs)
        attrs["data-palaute-map-words"] = leaflet_words_json()
        options = attrs.get("data-leaflet-field-options-value")
        if not options:
            return attrs
        options = json.loads(options)
        options["translations"] = {key: str(text) for key, text in GEOWIDGET_WORDS.items()}
        center = map_center()
        if center and not self.value_data:
            # wagtailgeowidget reads GEO_WIDGET_DEFAULT_LOCATION once at import;
            # an empty map opens at PALAUTE_MAP_CENTER (or the area's centre) instead.
            options["defaultLocation"] = {"lat": center[0], "lng": center[1]}
        attrs["data-leaflet-field-options-value"] = json.dumps(options)
        return attrs

    @cached_property
    def media(self):
        # The admin has jQuery and Stimulus already; its controller boots the map.
        return forms.Media(
            css={"all": LEAFLET_CSS},
            js=(*LEAFLET_JS, "wagtailgeowidget/js/leaflet-field.js",
                "wagtailgeowidget/js/leaflet-field-controller.js"),
        )
