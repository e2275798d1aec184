"""geo.py: distances in metres (so that "nearest first" is right at Tornio's latitude), the
city's area and where its map opens."""

import pytest

from palaute_plugin.geo import (
    InMemoryGeocoder,
    Place,
    bounds_around,
    distance_between,
    distance_m,
    map_center,
    within_city_area,
)

# At 65.85° N a degree of longitude is about 45.5 km, a degree of latitude 111.2 km.
HERE = (65.85, 24.15)
EAST_455_M = (65.85, 24.16)
NORTH_667_M = (65.856, 24.15)


class Point:
    def __init__(self, latitude=None, longitude=None):
        self.latitude, self.longitude = latitude, longitude


def test_distances_at_tornio_latitude_are_great_circle_metres():
    assert distance_m(*HERE, *EAST_455_M) == pytest.approx(455, abs=2)
    assert distance_m(*HERE, *NORTH_667_M) == pytest.approx(667, abs=2)


def test_squared_degrees_would_order_these_two_wrongly():
    """The reason for metres: in raw degrees the farther place looks nearer."""
    def squared_degrees(point):
        return (point[0] - HERE[0]) ** 2 + (point[1] - HERE[1]) ** 2

    assert squared_degrees(NORTH_667_M) < squared_degrees(EAST_455_M)
    assert distance_m(*HERE, *EAST_455_M) < distance_m(*HERE, *NORTH_667_M)


def test_distance_between_needs_both_places():
    here = Point(*HERE)
    assert distance_between(here, Point(*EAST_455_M)) == pytest.approx(455, abs=2)
    assert distance_between(here, Point()) is None
    assert distance_between(Point(65.85, None), here) is None


def test_bounds_around_contain_the_circle():
    south, west, north, east = bounds_around(*HERE, 1000)
    assert distance_m(*HERE, north, HERE[1]) == pytest.approx(1000, abs=1)
    assert distance_m(*HERE, south, HERE[1]) == pytest.approx(1000, abs=1)
    assert distance_m(*HERE, HERE[0], east) == pytest.approx(1000, abs=1)
    assert distance_m(*HERE, HERE[0], west) == pytest.approx(1000, abs=1)



def test_area_bounds_refuse_places_outside(settings):
    settings.PALAUTE_AREA_BOUNDS = (65.55, 23.55, 66.45, 24.95)
    assert within_city_area(65.8481, 24.1466)
    assert not within_city_area(60.1699, 24.9384)  # Helsinki


def test_without_area_bounds_every_place_is_accepted(settings):
    settings.PALAUTE_AREA_BOUNDS = None
    assert within_city_area(60.1699, 24.9384)
    assert within_city_area(-33.86, 151.21)


def test_map_center_setting_wins_over_the_area(settings):
    settings.PALAUTE_AREA_BOUNDS = (60.0, 24.0, 62.0, 26.0)
    settings.PALAUTE_MAP_CENTER = ("65.8481", 24.1466)
    assert map_center() == (65.8481, 24.1466)
    settings.PALAUTE_MAP_CENTER = None
    assert map_center() == (61.0, 25.0)
    settings.PALAUTE_AREA_BOUNDS = None
    assert map_center() is None


KOMPASSI = Place("Kompassi, Suensaarenkatu 4", 65.8483, 24.1470)
LIBRARY = Place("Tornion kirjasto, Torikatu 2", 65.8465, 24.1443)


def test_the_default_geocoder_looks_nothing_up(settings):
    from palaute_plugin.geo import NoGeocoder, geocoder  # noqa: PLC0415

    del settings.PALAUTE_GEOCODER  # the demo site's settings choose the local one
    assert isinstance(geocoder(), NoGeocoder)
    assert geocoder().search("Suensaarenkatu") == []
    assert geocoder().reverse(65.85, 24.15) is None


def test_a_geocoder_is_chosen_by_the_setting(settings):
    from palaute_plugin.geo import geocoder  # noqa: PLC0415

    settings.PALAUTE_GEOCODER = "tests.test_geo.TwoPlaces"
    assert geocoder().search("suensaaren") == [KOMPASSI]
    assert geocoder().search("kirjasto tori") == [LIBRARY]
    assert geocoder().search("  ") == []
    assert geocoder().reverse(65.8466, 24.1444) == LIBRARY


@pytest.mark.parametrize("path", ["no.such.Geocoder", "palaute_plugin.geo.Place", ""])
def test_a_bad_geocoder_setting_is_an_error(settings, path):
    from palaute_plugin import checks  # noqa: PLC0415

    settings.PALAUTE_GEOCODER = path
    assert [m.id for m in checks.check_geocoder(None)] == ["palaute_plugin.E017"]


class TwoPlaces(InMemoryGeocoder):
    places = (KOMPASSI, LIBRARY)
