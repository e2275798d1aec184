"""Finding the place by its address in Chromium on a phone: the combobox by keyboard moves
the pin, a pin fills in the nearest known address, and axe finds nothing."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from palaute_plugin.models import Feedback
from palaute_plugin.places.models import Place

pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT_URL = re.compile(r"/palaute/receipt/[\w-]+/$")


@pytest.fixture
def places(settings):
    settings.PALAUTE_GEOCODER = "palaute_plugin.places.geocoder.PlacesGeocoder"
    Place.objects.create(kind="street", name_fi="Hallituskatu", latitude=65.8440,
                         longitude=24.1420, end_latitude=65.8520, end_longitude=24.1520,
                         number_from=1, number_to=41)
    Place.objects.create(kind="street", name_fi="Hallintokuja", latitude=65.8500,
                         longitude=24.1500, end_latitude=65.8510, end_longitude=24.1510)
    Place.objects.create(kind="landmark", name_fi="Kaupungintalo", latitude=65.8478,
                         longitude=24.1447, aliases="Kompassi")


def test_an_address_chosen_by_keyboard_moves_the_pin_and_is_sent(phone, form_url,
                                                                  categories, places):
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    page.fill("#id_message", "Katuvalo on ollut rikki jo viikon.")
    address = page.get_by_role("combobox", name=re.compile("Osoite tai paikka"))
    address.press_sequentially("Halli")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_text(["Hallituskatu", "Hallintokuja"])
    expect(address).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".js-place-search-status")).to_have_text(
        "2 ehdotusta. Valitse ylä- ja alanuolella ja Enterillä.")

    address.press_sequentially("tuskatu 21")
    expect(options).to_have_text(["Hallituskatu 21"])
    address.press("ArrowDown")
    expect(address).to_have_attribute("aria-activedescendant", "id_address_listbox_0")
    expect(options.first).to_have_attribute("aria-selected", "true")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    address.press("Enter")

    expect(address).to_have_value("Hallituskatu 21")
    expect(address).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".js-place-search-status")).to_have_text(
        "Karttamerkki on nyt kohteessa Hallituskatu 21.")
    expect(page.locator("input#id_location")).to_have_value(
        re.compile(r"^SRID=4326;POINT\(24\.147\d* 65\.848\d*\)$"))
    with page.expect_navigation(url=RECEIPT_URL):
        page.click("button[data-submit]")
    feedback = Feedback.objects.get()
    assert feedback.address == "Hallituskatu 21"
    assert (feedback.latitude, feedback.longitude) == (pytest.approx(65.848),
                                                       pytest.approx(24.147))


def suggested(page, form_url, categories, typed, suggestions):
    """The form filled enough to be sent, ``typed`` in the address field and its
    ``suggestions`` shown, none chosen yet: the address field."""
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    page.fill("#id_message", "Katuvalo on ollut rikki jo viikon.")
    address = page.locator("#id_address")
    address.press_sequentially(typed)
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_text(suggestions)
    expect(address).not_to_have_attribute("aria-activedescendant", re.compile("."))
    return address


def test_escape_closes_the_suggestions_and_enter_without_a_choice_keeps_the_text(
        phone, form_url, categories, places):
    page = phone
    address = suggested(page, form_url, categories, "kompassi", ["Kaupungintalo"])
    address.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(address).to_have_value("kompassi")
    expect(page.locator("input#id_location")).to_have_value("")
    # Enter in the place's field does not send the half-filled form.
    address.press("Enter")
    page.wait_for_timeout(300)
    expect(page).to_have_url(form_url)
    expect(address).to_have_value("kompassi")
    assert Feedback.objects.count() == 0


def test_enter_with_suggestions_open_keeps_the_typed_text_and_does_not_send_the_form(
        phone, form_url, categories, places):
    """Enter (a phone's "Go") with none highlighted keeps what the resident typed (a house
    number the list does not know) and closes the list; a highlighted one is chosen."""
    page = phone
    address = suggested(page, form_url, categories, "Halli", ["Hallituskatu", "Hallintokuja"])
    address.press("Enter")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(address).to_have_value("Halli")
    expect(page.locator("input#id_location")).to_have_value("")
    address.press("ArrowDown")
    address.press("Enter")
    expect(address).to_have_value("Hallituskatu")
    expect(page).to_have_url(form_url)
    assert Feedback.objects.count() == 0

def test_a_pin_moved_after_choosing_a_suggestion_takes_the_new_places_address(
        phone, form_url, categories, places):
    """The address chosen from the list named where the list put the pin: a pin moved
    far from it kept "Kaupungintalo" (acceptance test, 2026-12-03)."""
    page = phone
    address = suggested(page, form_url, categories, "Kaupungint", ["Kaupungintalo"])
    address.press("ArrowDown")
    address.press("Enter")
    expect(address).to_have_value("Kaupungintalo")
    map_box = page.locator("#id_location_map")
    box = map_box.bounding_box()
    # The map now shows the town hall at zoom 17: a tap well to its north-east is nearer
    # to Hallituskatu's far end than to the town hall.
    map_box.click(position={"x": box["width"] - 10, "y": 10})
    expect(address).to_have_value(re.compile(r"^Hallituskatu \d+$"))


def test_a_pin_on_the_map_fills_in_the_nearest_address(phone, form_url, categories,
                                                      places, settings):
    settings.PALAUTE_MAP_CENTER = (65.8480, 24.1470)
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    map_box = page.locator("#id_location_map")
    box = map_box.bounding_box()
    map_box.click(position={"x": box["width"] / 2 + 3, "y": box["height"] / 2 + 3})
    expect(page.locator("#id_address")).to_have_value(re.compile(r"^Hallituskatu \d+$"))
    expect(page.locator(".js-place-search-status")).to_contain_text(
        "lähin tunnettu osoite")
    # What the resident typed is theirs: a later pin does not replace it.
    page.fill("#id_address", "Pihan perällä")
    map_box.click(position={"x": box["width"] / 2 - 20, "y": box["height"] / 2})
    expect(page.locator("#id_location_latlng")).not_to_have_value("")
    page.wait_for_timeout(500)
    expect(page.locator("#id_address")).to_have_value("Pihan perällä")


def test_the_pin_is_placed_by_keyboard_and_said_in_words(phone, form_url, categories,
                                                        places):
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    map_box = page.locator("#id_location_map")
    # No pin until a place is chosen (a faded one at the centre read as a place marked).
    expect(map_box.locator(".leaflet-control-zoom-in")).to_be_visible()
    expect(map_box.locator(".leaflet-marker-icon")).to_have_count(0)
    expect(map_box.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Lähennä")
    expect(map_box.locator(".leaflet-control-zoom-out")).to_have_attribute(
        "aria-label", "Loitonna")
    # OpenStreetMap's attribution too (the settings' English "contributors").
    expect(map_box.locator(".leaflet-control-attribution")).to_contain_text(
        "© OpenStreetMapin tekijät")

    # Address first, then the map: one Tab from the address reaches the map.
    page.focus("#id_address")
    page.keyboard.press("Tab")
    expect(map_box).to_be_focused()
    expect(map_box).to_have_attribute("aria-label", "Kartta")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(400)  # Leaflet's pan animation
    page.keyboard.press("Enter")
    status = page.locator(".js-my-location-status")
    expect(status).to_contain_text("Karttamerkki on kartan keskellä (65.8")
    pin = map_box.locator(".leaflet-marker-icon")
    expect(pin).to_be_visible()
    expect(pin).to_have_attribute("tabindex", "-1")
    expect(pin).to_have_attribute("alt", "Karttamerkki")
    # The box shows the place to six decimals, not the fifteen of a tap.
    expect(page.locator("#id_location_latlng")).to_have_value(
        re.compile(r"^65\.\d{6}, 24\.\d{6}$"))
    value = page.locator("input#id_location").input_value()
    latitude = float(re.match(r"^SRID=4326;POINT\(\S+ (\S+)\)$", value).group(1))
    assert latitude < 65.845  # panned south of where the map opened (65.8481)

    page.get_by_role("button", name="Aseta karttamerkki kartan keskelle").click()
    expect(status).to_contain_text("Karttamerkki on kartan keskellä")


def test_bad_coordinates_are_explained_with_a_local_example(phone, form_url, categories):
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    page.fill("#id_location_latlng", "pohjoinen")
    expect(page.locator("#id_location_map").locator("xpath=..")).to_contain_text(
        "esimerkiksi 65.848, 24.147")


def test_my_location_and_typed_coordinates_fill_in_the_address_like_a_pin(
        new_context, form_url, categories, places):
    """"Use my location" and coordinates typed in the box name the nearest known place, as a
    tapped pin does; typed coordinates show the pin in full and a place outside the area is
    said at once."""
    page = new_context(geolocation={"latitude": 65.8478, "longitude": 24.1447},
                       permissions=["geolocation"]).new_page()
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    page.get_by_role("button", name="Käytä sijaintiani").click()
    expect(page.locator("#id_address")).to_have_value("Kaupungintalo")

    page.reload()
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    pin = page.locator("#id_location_map .leaflet-marker-icon")
    expect(page.locator("#id_location_map .leaflet-control-zoom-in")).to_be_visible()
    expect(pin).to_have_count(0)
    page.locator("#id_location_latlng").press_sequentially("65.8478, 24.1447")
    expect(pin).to_be_visible()
    expect(page.locator("#id_address")).to_have_value("Kaupungintalo")
    # Moved where no place is known: the address the map wrote goes (it named the old place).
    page.fill("#id_location_latlng", "66.2, 24.0")
    expect(page.locator("#id_address")).to_have_value("")
    outside = page.locator("#id_location_outside")
    expect(outside).to_be_hidden()
    page.fill("#id_location_latlng", "60.1699, 24.9384")
    expect(outside).to_be_visible()
    expect(page.locator("#id_location_latlng")).to_have_attribute("aria-invalid", "true")


def test_half_typed_coordinates_are_refused_and_kept_for_correcting(phone, form_url,
                                                                    categories):
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    page.fill("#id_message", "Katuvalo on ollut rikki jo viikon.")
    page.locator("#id_location_latlng").press_sequentially("65.84, 24.1435")
    expect(page.locator("input#id_location")).not_to_have_value("")
    # Shortened again: the place it held a moment ago (on the way, longitude 2) is gone.
    for _ in range(9):
        page.locator("#id_location_latlng").press("Backspace")
    expect(page.locator("#id_location_latlng")).to_have_value("65.84")
    expect(page.locator("input#id_location")).to_have_value("")
    page.click("button[data-submit]")
    page.wait_for_load_state()
    expect(page.locator("#id_location_error")).to_contain_text(
        "Kirjoita koordinaatit muodossa leveysaste, pituusaste")
    coordinates = page.locator("#id_location_latlng")
    expect(coordinates).to_have_value("65.84")
    expect(coordinates).to_have_attribute("aria-invalid", "true")
    assert Feedback.objects.count() == 0
    coordinates.press("End")
    coordinates.press_sequentially(", 24.147")
    with page.expect_navigation(url=RECEIPT_URL):
        page.click("button[data-submit]")
    feedback = Feedback.objects.get()
    assert (feedback.latitude, feedback.longitude) == (pytest.approx(65.84),
                                                       pytest.approx(24.147))
