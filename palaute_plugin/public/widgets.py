"""The resident's map: the shared Leaflet widget booted without the Wagtail admin."""

from django import forms
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..conf import palaute_setting
from ..widgets import LEAFLET_CSS, LEAFLET_JS, LocalLeafletField

#: wagtailgeowidget's public map script needs jQuery; ours comes from xstatic-jquery.
JQUERY_JS = "palaute_plugin/vendor/jquery/jquery.min.js"


class ResidentMapWidget(LocalLeafletField):
    """The place on the public form, booted by ``palaute_plugin/js/map.js``.

    Adds a label to the coordinate box and a "use my location" button.
    """

    @cached_property
    def media(self):
        return forms.Media(
            css={"all": LEAFLET_CSS},
            js=(JQUERY_JS, *LEAFLET_JS, "wagtailgeowidget/js/leaflet-field.js",
                "palaute_plugin/js/map.js"),
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
            'data-target="{}" data-locating="{}" data-found="{}" data-failed="{}">{}</button>'
            '<p class="js-my-location-status" role="status"></p>',
            input_id,
            _("Finding your location…"),
            _("The pin is at your location ({lat}, {lon}). You can move it."),
            _("Your location could not be found. Mark the place on the map instead."),
            _("Use my location"),
        )
        return mark_safe(label + html + my_location + self.area_check(input_id))  # noqa: S308

    @staticmethod
    def area_check(input_id):
        """Tells the script the city's area, so a pin outside it is refused at once."""
        bounds = palaute_setting("AREA_BOUNDS")
        if not bounds:
            return ""
        return format_html(
            '<p class="error-message js-outside-area" id="{}_outside" data-target="{}" '
            'data-bounds="{}" role="alert" hidden>{}</p>',
            input_id, input_id, ",".join(str(float(edge)) for edge in bounds),
            _("The place on the map is outside the area this service covers. Move the pin "
              "or leave the map empty."))
