"""The shared map widget (palaute_plugin/widgets.py): where an empty map opens."""

import html
import json

import pytest
from django.utils import translation

from palaute_plugin.widgets import LocalLeafletField


def options(value=""):
    html = LocalLeafletField().render("location", value, attrs={"id": "id_location"})
    start = html.index("data-leaflet-field-options-value=\"") + len(
        "data-leaflet-field-options-value=\"")
    raw = html[start:html.index('"', start)].replace("&quot;", '"')
    return json.loads(raw)


def test_empty_map_opens_at_the_configured_centre(settings):
    settings.PALAUTE_MAP_CENTER = (60.1699, 24.9384)
    assert options()["defaultLocation"] == {"lat": 60.1699, "lng": 24.9384}


def test_without_a_centre_the_map_opens_in_the_middle_of_the_area(settings):
    settings.PALAUTE_MAP_CENTER = None
    settings.PALAUTE_AREA_BOUNDS = (60.0, 24.0, 62.0, 26.0)
    assert options()["defaultLocation"] == {"lat": 61.0, "lng": 25.0}


def test_without_centre_or_area_wagtailgeowidget_decides(settings):
    from wagtailgeowidget.app_settings import GEO_WIDGET_DEFAULT_LOCATION

    settings.PALAUTE_MAP_CENTER = None
    settings.PALAUTE_AREA_BOUNDS = None
    assert options()["defaultLocation"] == GEO_WIDGET_DEFAULT_LOCATION


def test_a_chosen_place_wins_over_the_centre(settings):
    settings.PALAUTE_MAP_CENTER = (60.1699, 24.9384)
    location = options("SRID=4326;POINT(24.1466 65.8481)")["defaultLocation"]
    assert (float(location["lat"]), float(location["lng"])) == (65.8481, 24.1466)



@pytest.mark.django_db
def test_the_map_widgets_own_words_are_in_the_residents_language():
    """wagtailgeowidget's words (its catalog has no Finnish, and its Swedish lacks some) are
    in the page's language, never English on a Finnish or Swedish page."""
    from palaute_plugin.public.forms import FeedbackForm

    expected = {"fi": ("Kirjoita paikka", "Osoitetta '%s' ei löytynyt kartalta."),
                "sv": ("Skriv en plats", "Adressen '%s' hittades inte på kartan.")}
    for language, (enter, not_found) in expected.items():
        with translation.override(language):
            rendered = str(FeedbackForm()["location"])
        attribute = rendered.split('data-leaflet-field-options-value="', 1)[1].split('"', 1)[0]
        words = json.loads(html.unescape(attribute))["translations"]
        assert words["enter_location"] == enter
        assert words["error_could_not_geocode_address"].startswith(not_found)
        assert words["initialize_map"] != "Click here to initialize map"
