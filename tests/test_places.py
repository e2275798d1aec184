"""places/: the local geocoder (word search, house numbers along a street, the nearest
known place of a pin) and importing the city's CSV/GeoJSON exports, all or nothing."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from palaute_plugin import geo
from palaute_plugin.places.demo import create_places
from palaute_plugin.places.geocoder import PlacesGeocoder
from palaute_plugin.places.importing import (
    PlaceImportError,
    import_places,
    read_csv,
    read_geojson,
)
from palaute_plugin.places.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def street(name="Hallituskatu", **extra):
    values = {"kind": "street", "name_fi": name, "latitude": 65.8400, "longitude": 24.1400,
              "end_latitude": 65.8500, "end_longitude": 24.1600, "number_from": 1,
              "number_to": 41, **extra}
    return Place.objects.create(**values)


def landmark(name, latitude, longitude, **extra):
    return Place.objects.create(kind="landmark", name_fi=name, latitude=latitude,
                                longitude=longitude, **extra)


def test_a_house_number_is_placed_along_the_street_range():
    street()
    [found] = PlacesGeocoder().search("Hallituskatu 21")
    assert found.label == "Hallituskatu 21"
    assert found.latitude == pytest.approx(65.8450)
    assert found.longitude == pytest.approx(24.1500)
    [first] = PlacesGeocoder().search("hallituskatu 1")
    assert (first.latitude, first.longitude) == pytest.approx((65.84, 24.14))


def test_a_number_outside_the_range_gives_the_street_itself():
    street()
    [found] = PlacesGeocoder().search("Hallituskatu 99")
    assert found.label == "Hallituskatu"
    assert (found.latitude, found.longitude) == pytest.approx((65.845, 24.15))


def test_the_segment_holding_the_number_wins_over_the_other_segment():
    street(number_from=1, number_to=20)
    street(number_from=21, number_to=60, latitude=65.86, end_latitude=65.87)
    [found] = PlacesGeocoder().search("Hallituskatu 30")
    assert found.label == "Hallituskatu 30"
    assert found.latitude > 65.86


def test_words_match_the_start_of_any_name_or_alias_in_the_residents_language():
    landmark("Kaupungintalo", 65.8478, 24.1447, name_sv="Stadshuset", name_en="Town hall",
             aliases="Tornion kaupungintalo")
    landmark("Kaupunginkirjasto", 65.8466, 24.1444)
    assert [p.label for p in PlacesGeocoder().search("kaup")] == ["Kaupungintalo",
                                                                   "Kaupunginkirjasto"]
    assert [p.label for p in PlacesGeocoder().search("torn kaup")] == ["Kaupungintalo"]
    assert [p.label for p in PlacesGeocoder().search("stads", language="sv")] == [
        "Stadshuset"]
    assert [p.label for p in PlacesGeocoder().search("town", language="en")] == ["Town hall"]
    assert PlacesGeocoder().search("aupungintalo") == []
    assert PlacesGeocoder().search("  ,, ") == []


def test_the_whole_name_ranks_before_a_longer_one_and_the_limit_holds():
    landmark("Putaan koulun piha", 65.85, 24.16)
    landmark("Putaan koulu", 65.85, 24.161)
    for number in range(6):
        landmark(f"Putaan kenttä {number}", 65.85, 24.16)
    found = PlacesGeocoder().search("putaan koulu", limit=3)
    assert [p.label for p in found] == ["Putaan koulu", "Putaan koulun piha"]
    assert len(PlacesGeocoder().search("putaan", limit=3)) == 3


def test_reverse_names_the_pin_by_the_nearest_house_number():
    street()
    landmark("Kompassi", 65.8600, 24.1000)
    found = PlacesGeocoder().reverse(65.8450, 24.1502)
    assert found.label == "Hallituskatu 21"
    assert geo.distance_m(65.8450, 24.1502, found.latitude, found.longitude) < 15


def test_reverse_prefers_the_nearer_landmark_and_knows_nothing_far_away():
    street()
    landmark("Kompassi", 65.84505, 24.1500, name_sv="Kompassi kundtjänst")
    assert PlacesGeocoder().reverse(65.8451, 24.1500, language="sv").label == (
        "Kompassi kundtjänst")
    assert PlacesGeocoder().reverse(65.90, 24.30) is None


def test_the_demo_places_are_inside_the_area_and_found(settings):
    create_places()
    create_places()  # again: the same rows
    assert Place.objects.count() == 14
    assert all(geo.within_city_area(p.latitude, p.longitude) for p in Place.objects.all())
    assert PlacesGeocoder().search("kompassi")[0].label == "Kompassi-asiakaspalvelupiste"
    settings.PALAUTE_GEOCODER = "palaute_plugin.places.geocoder.PlacesGeocoder"
    assert geo.geocoder().search("Hallituskatu 12")[0].label == "Hallituskatu 12"


CSV_HEADER = ("kind,name_fi,name_sv,name_en,aliases,latitude,longitude,end_latitude,"
              "end_longitude,number_from,number_to,external_id\n")


def test_a_csv_export_is_imported_and_updates_by_identifier():
    text = (CSV_HEADER
            + "street,Hallituskatu,Regeringsgatan,,,65.84,24.14,65.85,24.16,1,41,k-1\n"
            + "landmark,Kaupungintalo,Stadshuset,Town hall,Raatihuone|Kaupungin talo,"
              "\"65,8478\",24.1447,,,,,p-7\n")
    result = import_places(read_csv(text))
    assert (result.created, result.updated) == (2, 0)
    town_hall = Place.objects.get(external_id="p-7")
    assert town_hall.aliases == "Raatihuone\nKaupungin talo"
    assert town_hall.latitude == pytest.approx(65.8478)
    assert PlacesGeocoder().search("raatihuone")[0].label == "Kaupungintalo"
    result = import_places(read_csv(text.replace("Hallituskatu,", "Hallitusk.,")))
    assert (result.created, result.updated) == (0, 2)
    assert Place.objects.get(external_id="k-1").name_fi == "Hallitusk."


def test_a_csv_with_bad_rows_imports_nothing_and_names_each_line():
    text = (CSV_HEADER
            + "landmark,Kaupungintalo,,,,65.8478,24.1447,,,,,\n"
            + "castle,Linna,,,,65.84,24.14,,,,,\n"
            + "street,Keskikatu,,,,65.84,24.14,65.85,24.15,30,1,\n"
            + "landmark,Tori,,,,north,24.14,,,,,\n"
            + "street,Torikatu,,,,65.84,24.14,,,1,20,\n"
            + "landmark,,,,,65.84,24.14,,,,,\n")
    with pytest.raises(PlaceImportError) as raised:
        import_places(read_csv(text))
    errors = raised.value.errors
    assert [error.split(":")[0] for error in errors] == [
        "Line 3", "Line 4", "Line 5", "Line 6", "Line 7"]
    assert "castle" in errors[0]
    assert "number_to" in errors[1]
    assert "“north” is not a number" in errors[2]
    assert "end_latitude" in errors[3]
    assert "name_fi" in errors[4]
    assert not Place.objects.exists()


def test_a_csv_without_the_required_columns_is_refused():
    with pytest.raises(PlaceImportError) as raised:
        read_csv("name,lat,lon\nTori,65.8,24.1\n")
    assert raised.value.errors == ["Line 1: the header lacks the columns kind, name_fi."]


def test_repeated_identifiers_are_refused():
    text = CSV_HEADER + ("landmark,A,,,,65.84,24.14,,,,,x\n" * 2)
    with pytest.raises(PlaceImportError) as raised:
        import_places(read_csv(text))
    assert raised.value.errors == ["The identifiers x appear more than once."]


def feature(geometry_type, coordinates, **properties):
    return {"type": "Feature", "geometry": {"type": geometry_type, "coordinates": coordinates},
            "properties": properties}


def test_a_geojson_export_gives_streets_from_lines_and_landmarks_from_points():
    data = {"type": "FeatureCollection", "features": [
        feature("LineString", [[24.14, 65.84], [24.15, 65.845], [24.16, 65.85]],
                name="Hallituskatu", number_from=1, number_to=41, external_id="k-1"),
        feature("Point", [24.1447, 65.8478], name_fi="Kaupungintalo",
                aliases=["Raatihuone"]),
    ]}
    result = import_places(read_geojson(json.dumps(data)))
    assert result.created == 2
    hallituskatu = Place.objects.get(external_id="k-1")
    assert (hallituskatu.kind, hallituskatu.end_latitude, hallituskatu.end_longitude) == (
        "street", 65.85, 24.16)
    assert Place.objects.get(name_fi="Kaupungintalo").kind == "landmark"
    assert PlacesGeocoder().search("Hallituskatu 21")[0].latitude == pytest.approx(65.845)


def test_geojson_errors_name_the_feature_and_nothing_is_imported():
    data = {"type": "FeatureCollection", "features": [
        feature("Point", [24.1447, 65.8478], name="Kaupungintalo"),
        feature("Polygon", [[[24.1, 65.8], [24.2, 65.8], [24.2, 65.9]]], name="Puisto"),
        feature("Point", [24.1447], name="Tori"),
    ]}
    with pytest.raises(PlaceImportError) as raised:
        read_geojson(json.dumps(data))
    assert raised.value.errors == [
        "Feature 2: the geometry must be a Point or a LineString.",
        "Feature 3: the coordinates cannot be read."]
    data["features"] = [feature("Point", [240.0, 65.84], name="Tori")]
    with pytest.raises(PlaceImportError) as raised:
        import_places(read_geojson(json.dumps(data)))
    assert raised.value.errors[0].startswith("Line 1: longitude:")
    with pytest.raises(PlaceImportError):
        read_geojson("{not json")
    with pytest.raises(PlaceImportError):
        read_geojson('{"type": "Feature"}')
    assert not Place.objects.exists()


def test_the_command_imports_a_file_and_reports_errors(tmp_path, capsys):
    good = tmp_path / "places.csv"
    good.write_text(CSV_HEADER + "landmark,Kaupungintalo,,,,65.8478,24.1447,,,,,p-1\n",
                    encoding="utf-8")
    call_command("palaute_import_places", str(good))
    assert "Imported 1 new and updated 0" in capsys.readouterr().out
    bad = tmp_path / "places.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("Point", [24.14, 65.84], name="Tori"), feature("Point", [], name="X")]}))
    with pytest.raises(CommandError, match="Nothing was imported:\nFeature 2: the coord"):
        call_command("palaute_import_places", str(bad))
    replace = tmp_path / "other.json"
    replace.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("Point", [24.14, 65.84], name="Tori")]}))
    call_command("palaute_import_places", str(replace), "--replace")
    assert list(Place.objects.values_list("name_fi", flat=True)) == ["Tori"]


def test_a_name_starting_with_the_word_is_not_crowded_out_by_many_others(settings):
    for number in range(5):
        landmark(f"Iso kauppa {number}", 65.85, 24.15)
    landmark("Kauppatori", 65.846, 24.145)
    geocoder = PlacesGeocoder()
    geocoder.candidate_limit = 3
    assert [p.label for p in geocoder.search("kauppa", limit=1)] == ["Kauppatori"]
