"""The resident's map: the shared Leaflet widget booted without the Wagtail admin."""

import json

from django import forms
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..conf import palaute_setting
from ..widgets import LEAFLET_CSS, LEAFLET_JS, LocalLeafletField

#: What map.js writes on the map, and wagtailgeowidget's one message, translated
#: (Leaflet's own words: ``widgets.LEAFLET_WORDS``, written by map-words.js).
MAP_STRINGS = {
    "map": _("Map"),
    "atCentre": _("The pin is at the map's centre ({lat}, {lon})."),
    "badCoordinates": _("Type the coordinates as latitude, longitude, for example "
                        "65.848, 24.147."),
}

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

    def build_attrs(self, *args, **kwargs):
        attrs = super().build_attrs(*args, **kwargs)
        options = attrs.get("data-leaflet-field-options-value")
        if options:
            # Leaflet's own words and ours for map.js, in the page's language.
            options = json.loads(options)
            options["palaute"] = {key: str(text) for key, text in MAP_STRINGS.items()}
            options["translations"] = {**options.get("translations", {}),
                                       "error_message_invalid_location": options["palaute"][
                                           "badCoordinates"]}
            attrs["data-leaflet-field-options-value"] = json.dumps(options)
        return attrs

    #: What the resident typed in the coordinate box (``<name>_latlng``), kept when the
    #: form comes back with an error and checked by the form when no place was written.
    typed = ""

    def value_from_datadict(self, data, files, name):
        self.typed = (data.get(f"{name}_latlng") or "").strip()[:250]
        return super().value_from_datadict(data, files, name)

    def render(self, name, value, attrs=None, renderer=None):
        """The map first, then its buttons, then the coordinates for those who want them."""
        self.value_data = value
        hidden = forms.HiddenInput.render(self, name, value, attrs, renderer)
        input_id = attrs["id"]
        map_box = format_html('<div id="{}_map" class="leaflet-field"></div>', input_id)
        at_centre = format_html(
            '<button type="button" class="button button--secondary js-pin-at-centre" '
            'data-target="{}">{}</button>', input_id, _("Place the pin at the map's centre"))
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
        # The coordinate box wagtailgeowidget's script expects; ours has a label.
        coordinates = format_html(
            '<label class="map-coordinates-label" for="{0}_latlng">{1}</label>'
            '<div class="input"><input id="{0}_latlng" name="{2}_latlng" value="{3}" '
            'class="leaflet-field-location" maxlength="250" type="text" inputmode="decimal" '
            'placeholder="65.848, 24.147"></div>',
            input_id, _("Coordinates (latitude, longitude)"), name, self.typed)
        buttons = format_html('<div class="map-buttons">{}{}</div>', at_centre, my_location)
        return mark_safe(hidden + map_box + buttons + coordinates  # noqa: S308
                         + self.area_check(input_id))

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
