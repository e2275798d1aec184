"""The form's place search route (``paikat/``): suggestions, the address of a pin, bad
input, the rate limit; the form's address field wired to it; and a typed address
located on the server when exactly one place matches."""

import pytest
from django.core.cache import cache

from palaute_plugin.models import Feedback
from palaute_plugin.places.models import Place
from tests.factories import CategoryFactory, feedback_page
from tests.test_public_form import form_data, post, translated_page

pytestmark = pytest.mark.django_db

URL = "/palaute/paikat/"


@pytest.fixture(autouse=True)
def places(settings):
    cache.clear()
    settings.PALAUTE_GEOCODER = "palaute_plugin.places.geocoder.PlacesGeocoder"
    settings.PALAUTE_AREA_BOUNDS = (65.55, 23.55, 66.45, 24.95)
    Place.objects.create(kind="street", name_fi="Hallituskatu", name_sv="Regeringsgatan",
                         latitude=65.8400, longitude=24.1400, end_latitude=65.8500,
                         end_longitude=24.1600, number_from=1, number_to=41)
    Place.objects.create(kind="landmark", name_fi="Kaupungintalo", name_sv="Stadshuset",
                         latitude=65.8478, longitude=24.1447)
    Place.objects.create(kind="landmark", name_fi="Haaparannan kirkko",  # across the border
                         latitude=65.8360, longitude=23.1000)
    yield
    cache.clear()


@pytest.fixture
def page():
    return feedback_page()


def test_suggestions_for_typed_text(client, page):
    response = client.get(URL, {"q": "Hallituskatu 21"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {"results": [
        {"label": "Hallituskatu 21", "lat": 65.845, "lon": 24.15}]}


def test_suggestions_are_in_the_pages_language_and_inside_the_area(client, page):
    translated_page(page, "sv", "Respons")
    assert client.get(f"/sv{URL}", {"q": "stads"}).json()["results"][0][
        "label"] == "Stadshuset"
    assert client.get(URL, {"q": "haaparannan"}).json() == {"results": []}


def test_the_address_of_a_pin(client, page):
    assert client.get(URL, {"lat": "65.8450", "lon": "24.1502"}).json()["results"][0][
        "label"] == "Hallituskatu 21"
    assert client.get(URL, {"lat": "65.95", "lon": "24.60"}).json() == {"results": []}
    assert client.get(URL, {"lat": "60.17", "lon": "24.94"}).json() == {"results": []}


@pytest.mark.parametrize("params", [
    {}, {"lat": "65.8"}, {"lat": "north", "lon": "24.1"}, {"lat": "95", "lon": "24.1"},
    {"q": "x" * 201},
])
def test_bad_input_is_a_400_with_a_message(client, page, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["results"] == []
    assert response.json()["error"]


def test_short_text_gives_nothing_and_only_get_is_allowed(client, page):
    assert client.get(URL, {"q": " h "}).json() == {"results": []}
    assert client.post(URL, {"q": "Hallituskatu"}).status_code == 405


def test_lookups_are_rate_limited_per_client(client, page, settings):
    settings.PALAUTE_SUGGEST_RATE_LIMIT = "3/m"
    responses = [client.get(URL, {"q": "Hallitus"}) for _ in range(4)]
    assert [response.status_code for response in responses] == [200, 200, 200, 429]
    assert 1 <= int(responses[-1]["Retry-After"]) <= 60  # the rest of the minute
    other = client.get(URL, {"q": "Hallitus"}, REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200


def test_the_form_names_its_search_route_only_with_a_geocoder(client, page, settings):
    CategoryFactory()
    html = client.get("/palaute/").content.decode()
    assert f'data-place-search="{URL}"' in html
    assert "palaute_plugin/js/address-search.js" in html
    del settings.PALAUTE_GEOCODER
    cache.clear()
    assert "data-place-search" not in client.get("/palaute/").content.decode()


def test_a_typed_address_matching_one_place_is_located(client, page, responsible):
    category = CategoryFactory(responsible_person=responsible)
    response = post(client, page, form_data(category, location="", address="Hallituskatu 21"))
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.address, feedback.latitude, feedback.longitude) == (
        "Hallituskatu 21", pytest.approx(65.845), pytest.approx(24.15))


@pytest.mark.parametrize("address", ["Kau", "Torikatu 3", "ka"])
def test_an_address_matching_none_or_many_stays_text(client, page, responsible, address):
    Place.objects.create(kind="landmark", name_fi="Kauppatori", latitude=65.846,
                         longitude=24.145)
    category = CategoryFactory(responsible_person=responsible)
    assert post(client, page, form_data(category, location="",
                                        address=address)).status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.address, feedback.latitude) == (address, None)


def test_a_pin_is_kept_over_the_typed_address(client, page, responsible):
    category = CategoryFactory(responsible_person=responsible)
    post(client, page, form_data(category, address="Hallituskatu 21"))
    assert Feedback.objects.get().latitude == pytest.approx(65.8481)
