"""geo.py: distances in metres, so that "nearest first" is right at Tornio's latitude."""

import pytest

from palaute_plugin.geo import bounds_around, distance_between, distance_m

# At 65.85° N a degree of longitude is about 45.5 km, a degree of latitude 111.2 km.
HERE = (65.85, 24.15)
EAST_455_M = (65.85, 24.16)
NORTH_667_M = (65.856, 24.15)


class Place:
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
    here = Place(*HERE)
    assert distance_between(here, Place(*EAST_455_M)) == pytest.approx(455, abs=2)
    assert distance_between(here, Place()) is None
    assert distance_between(Place(65.85, None), here) is None


def test_bounds_around_contain_the_circle():
    south, west, north, east = bounds_around(*HERE, 1000)
    assert distance_m(*HERE, north, HERE[1]) == pytest.approx(1000, abs=1)
    assert distance_m(*HERE, south, HERE[1]) == pytest.approx(1000, abs=1)
    assert distance_m(*HERE, HERE[0], east) == pytest.approx(1000, abs=1)
    assert distance_m(*HERE, HERE[0], west) == pytest.approx(1000, abs=1)
