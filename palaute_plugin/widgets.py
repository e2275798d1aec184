"""Form widgets of the public side."""

from django import forms
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtailgeowidget.widgets import LeafletField

#: Leaflet from xstatic-leaflet and jQuery from Wagtail's own static files:
#: wagtailgeowidget's leaflet-field.js needs both, and nothing comes from a CDN.
LOCAL_LEAFLET_CSS = ("leaflet/leaflet.css", "wagtailgeowidget/css/leaflet-field.css")
LOCAL_LEAFLET_JS = (
    "wagtailadmin/js/vendor/jquery-3.6.0.min.js",
    "leaflet/leaflet.js",
    "wagtailgeowidget/js/leaflet-field.js",
)


class LocalLeafletField(LeafletField):
    """wagtailgeowidget's ``LeafletField`` with Leaflet served from our own static files.

    The public page boots it with ``palaute_plugin/js/map.js`` (its Stimulus
    controller needs the Wagtail admin's JavaScript).
    """

    srid = 4326  # so the map writes ``SRID=4326;POINT(lon lat)``, as forms.parse_point reads

    @cached_property
    def media(self):
        return forms.Media(
            css={"all": LOCAL_LEAFLET_CSS},
            js=LOCAL_LEAFLET_JS + ("palaute_plugin/js/map.js",),
        )

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        input_id = attrs["id"]
        # The coordinate box wagtailgeowidget adds has no label; give it one.
        label = format_html(
            '<label class="map-coordinates-label" for="{}_latlng">{}</label>',
            input_id,
            _("Coordinates (latitude, longitude)"),
        )
        my_location = format_html(
            '<button type="button" class="button button--secondary js-my-location" '
            'data-target="{}" data-locating="{}" data-failed="{}">{}</button>'
            '<p class="js-my-location-status" role="status"></p>',
            input_id,
            _("Finding your location…"),
            _("Your location could not be found. Mark the place on the map instead."),
            _("Use my location"),
        )
        return mark_safe(label + html + my_location)  # noqa: S308 (parts are escaped above)
