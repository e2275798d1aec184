"""The city's area and where its map opens (palaute_plugin/geo.py)."""

from palaute_plugin.geo import map_center, within_city_area


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
