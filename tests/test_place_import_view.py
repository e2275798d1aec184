"""Importing places in the Wagtail admin: a file upload with the command's checks."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from palaute_plugin.places.models import Place

from .admin_fixtures import admin_user, in_english

pytestmark = pytest.mark.django_db

IMPORT_URL = "wagtailsnippets_palaute_plugin_place:import"
LIST_URL = "wagtailsnippets_palaute_plugin_place:list"
CSV_HEADER = ("kind,name_fi,name_sv,name_en,aliases,latitude,longitude,end_latitude,"
              "end_longitude,number_from,number_to,external_id\n")
GOOD_CSV = (CSV_HEADER
            + "street,Hallituskatu,Regeringsgatan,,,65.84,24.14,65.85,24.16,1,41,k-1\n"
            + "landmark,Kaupungintalo,Stadshuset,Town hall,Raatihuone,65.8478,24.1447,,,,,p-7\n")


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("toimittaja", "t@tornio.example", "pw")
    client.force_login(in_english(user))
    return user


def upload(client, name, content, **data):
    file = SimpleUploadedFile(name, content.encode("utf-8") if isinstance(content, str)
                              else content)
    return client.post(reverse(IMPORT_URL), {"file": file, **data}, follow=True)


def test_the_listing_offers_the_import_to_an_editor(client, editor):
    content = client.get(reverse(LIST_URL)).content.decode()
    assert f'href="{reverse(IMPORT_URL)}"' in content
    assert "Import from a file" in content


def test_an_editor_imports_a_csv_file(client, editor):
    response = upload(client, "paikat.csv", GOOD_CSV)
    assert response.redirect_chain[-1] == (reverse(LIST_URL), 302)
    assert "Imported 2 new and updated 0 places." in response.content.decode()
    assert set(Place.objects.values_list("external_id", flat=True)) == {"k-1", "p-7"}


def test_a_geojson_file_is_read_as_geojson(client, editor):
    collection = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [24.1447, 65.8478]},
        "properties": {"name": "Kompassi", "external_id": "p-1"}}]}
    upload(client, "paikat.geojson", json.dumps(collection))
    assert Place.objects.get().name_fi == "Kompassi"


def test_a_file_with_errors_imports_nothing_and_lists_them_by_line(client, editor):
    bad = GOOD_CSV + "castle,Linna,,,,65.84,24.14,,,,,\n" + "landmark,Tori,,,,north,24.1,,,,,\n"
    response = upload(client, "paikat.csv", bad)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was imported: correct the file and try again." in content
    assert "Line 4: " in content and "castle" in content
    assert "Line 5: " in content and "“north” is not a number." in content
    assert not Place.objects.exists()


def test_a_file_not_in_utf8_is_refused_clearly(client, editor):
    response = upload(client, "paikat.csv", GOOD_CSV.replace("Hallituskatu", "Äijänkatu")
                      .encode("latin-1"))
    assert "The file is not in UTF-8: export it as UTF-8." in response.content.decode()
    assert not Place.objects.exists()


def test_replace_deletes_the_places_the_file_lacks(client, editor):
    Place.objects.create(kind="landmark", name_fi="Vanha", latitude=65.84, longitude=24.14)
    upload(client, "paikat.csv", GOOD_CSV, replace="on")
    assert set(Place.objects.values_list("name_fi", flat=True)) == {
        "Hallituskatu", "Kaupungintalo"}


def test_a_user_without_place_permissions_is_refused(client):
    """Wagtail answers a refused admin view with its home page and a message."""
    client.force_login(admin_user(username="handler"))
    response = client.get(reverse(IMPORT_URL))
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    response = client.post(reverse(IMPORT_URL), {
        "file": SimpleUploadedFile("paikat.csv", GOOD_CSV.encode())})
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert not Place.objects.exists()


def test_the_import_page_needs_a_login(client):
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302
