"""The place on /palaute/ on a phone, as an acceptance tester typed and tapped it:
coordinates in the forms residents write them, words that are no coordinates (said at once,
the pin kept), "Remove the pin" taking the address the pin wrote, and a visible, announced
"Sending…" while the form is on its way."""

import json
import re

import pytest
from playwright.sync_api import expect

from palaute_plugin.models import Feedback
from palaute_plugin.places.models import Place

from .test_staff_flow import swedish_translation

pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT_URL = re.compile(r"/palaute/receipt/[\w-]+/$")
MESSAGE = "Katuvalo on ollut rikki jo viikon Hallituskadulla."
BAD_FI = "Kirjoita koordinaatit muodossa leveysaste, pituusaste, esimerkiksi 65.848, 24.147."
BAD_SV = "Skriv koordinaterna som latitud, longitud, till exempel 65.848, 24.147."
#: Where a tap near the map's centre (``places``' MAP_CENTER) falls: by Hallituskatu.
ON_HALLITUSKATU = re.compile(r"^Hallituskatu \d+$")


@pytest.fixture
def places(settings):
    settings.PALAUTE_GEOCODER = "palaute_plugin.places.geocoder.PlacesGeocoder"
    settings.PALAUTE_MAP_CENTER = (65.8480, 24.1470)
    Place.objects.create(kind="street", name_fi="Hallituskatu", latitude=65.8440,
                         longitude=24.1420, end_latitude=65.8520, end_longitude=24.1520,
                         number_from=1, number_to=41)
    Place.objects.create(kind="landmark", name_fi="Kaupungintalo", latitude=65.8478,
                         longitude=24.1447, aliases="Kompassi")


def open_form(page, categories, url="/palaute/"):
    page.goto(url)
    page.select_option("#id_category", str(categories["lighting"].pk))
    expect(page.locator("#id_location_map .leaflet-control-zoom-in")).to_be_visible()


def tap_map(page, dx=3, dy=3):
    """A tap near the map's centre; returns the place it wrote."""
    map_box = page.locator("#id_location_map")
    box = map_box.bounding_box()
    map_box.click(position={"x": box["width"] / 2 + dx, "y": box["height"] / 2 + dy})
    location = page.locator("input#id_location")
    expect(location).to_have_value(re.compile(r"^SRID=4326;POINT\(24\.\d+ 65\.\d+\)$"))
    return location.input_value()


@pytest.mark.parametrize("typed", [
    "65,85 24,15",
    "65,85, 24,15",
    "65,85; 24,15",
    "65,85;24,15",
    "65.85 24.15",
    "65.85, 24.15",
    "65.85;24.15",
    "65.85,24.15",
    " 65.85 ,  24.15 ",
])
def test_coordinates_typed_in_common_forms_place_the_pin(phone, form_url, categories, typed):
    page = phone
    open_form(page, categories)
    box = page.locator("#id_location_latlng")
    box.press_sequentially(typed)
    box.press("Tab")
    expect(page.locator("input#id_location")).to_have_value("SRID=4326;POINT(24.15 65.85)")
    expect(page.locator("#id_location_map .leaflet-marker-icon")).to_be_visible()
    # Entered, the box shows the place as a tap does: six decimals, a decimal point.
    expect(box).to_have_value("65.850000, 24.150000")
    expect(box).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_location_latlng_error")).to_have_text("")


def test_typed_coordinates_are_sent(phone, form_url, categories):
    page = phone
    open_form(page, categories)
    page.fill("#id_message", MESSAGE)
    page.locator("#id_location_latlng").press_sequentially("65,848 24,147")
    with page.expect_navigation(url=RECEIPT_URL):
        page.click("button[data-submit]")
    feedback = Feedback.objects.get()
    assert (feedback.latitude, feedback.longitude) == (pytest.approx(65.848),
                                                       pytest.approx(24.147))


def test_words_typed_over_a_tapped_pin_keep_it_and_are_said_at_once(phone, form_url,
                                                                     categories):
    page = phone
    open_form(page, categories)
    pin = tap_map(page)
    box = page.locator("#id_location_latlng")
    tapped = box.input_value()
    error = page.locator("#id_location_latlng_error")
    expect(error).to_have_text("")
    expect(box).not_to_have_attribute("aria-invalid", "true")

    page.fill("#id_location_latlng", "abc")
    # Said at once, before the resident leaves the box, next to it and announced.
    expect(error).to_have_text(BAD_FI)
    expect(error).to_be_visible()
    expect(error).to_have_attribute("aria-live", "polite")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_attribute("aria-describedby", re.compile(r"\bid_location_latlng_error\b"))
    box.press("Tab")
    expect(page.locator("input#id_location")).to_have_value(pin)
    expect(page.locator("#id_location_map .leaflet-marker-icon")).to_be_visible()
    expect(error).to_have_text(BAD_FI)
    # What the resident typed stays for correcting.
    expect(box).to_have_value("abc")

    # Corrected: the message goes, the pin moves there.
    page.fill("#id_location_latlng", "65,85 24,15")
    expect(error).to_have_text("")
    expect(box).not_to_have_attribute("aria-invalid", "true")
    expect(box).not_to_have_attribute("aria-describedby",
                                      re.compile(r"\bid_location_latlng_error\b"))
    expect(page.locator("input#id_location")).to_have_value("SRID=4326;POINT(24.15 65.85)")
    expect(box).not_to_have_value(tapped)


def test_coordinates_entered_then_typed_over_with_words_keep_the_pin(phone, form_url,
                                                                     categories):
    """The tester's path: coordinates typed and Tab, later words in the box, Tab."""
    page = phone
    open_form(page, categories)
    box = page.locator("#id_location_latlng")
    box.press_sequentially("65,85, 24,15")
    box.press("Tab")
    expect(box).to_have_value("65.850000, 24.150000")
    box.click()
    box.press("ControlOrMeta+a")
    box.press_sequentially("pohjoinen")
    expect(page.locator("#id_location_latlng_error")).to_have_text(BAD_FI)
    box.press("Tab")
    expect(page.locator("input#id_location")).to_have_value("SRID=4326;POINT(24.15 65.85)")
    expect(page.locator("#id_location_map .leaflet-marker-icon")).to_be_visible()
    expect(page.locator("#id_location_latlng_error")).to_have_text(BAD_FI)


def test_half_typed_digits_are_said_when_the_box_is_left(phone, form_url, categories):
    """Digits on their way to coordinates are not an error at every key; left half-typed,
    they are, and the tapped pin stays."""
    page = phone
    open_form(page, categories)
    pin = tap_map(page)
    box = page.locator("#id_location_latlng")
    box.click()
    box.press("ControlOrMeta+a")
    box.press_sequentially("65,8")
    error = page.locator("#id_location_latlng_error")
    expect(error).to_have_text("")
    box.press("Tab")
    expect(error).to_have_text(BAD_FI)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("input#id_location")).to_have_value(pin)


def test_words_over_coordinates_being_typed_take_their_place_and_its_warning(
        phone, form_url, categories, settings):
    """Coordinates typed (not yet entered) outside the area, then replaced by words: the
    place they made goes with its "outside" warning, and the words are said to be no
    coordinates (test_resident_paths' path, where it was silently no place)."""
    settings.PALAUTE_AREA_BOUNDS = (65.840, 24.130, 65.856, 24.160)
    page = phone
    open_form(page, categories)
    warning = page.locator(".js-outside-area")
    page.fill("#id_location_latlng", "60.17, 24.94")
    expect(warning).to_be_visible()
    page.fill("#id_location_latlng", "abc")
    expect(warning).to_be_hidden()
    expect(page.locator("input#id_location")).to_have_value("")
    expect(page.locator("#id_location_map .leaflet-marker-icon")).to_have_count(0)
    expect(page.locator("#id_location_latlng_error")).to_have_text(BAD_FI)
    expect(page.locator("#id_location_latlng")).to_have_attribute("aria-invalid", "true")


def test_words_in_the_box_are_said_in_swedish(phone, form_page, categories):
    swedish_translation(form_page)
    page = phone
    open_form(page, categories, "/sv/palaute/")
    pin = tap_map(page)
    page.fill("#id_location_latlng", "norr om torget")
    expect(page.locator("#id_location_latlng_error")).to_have_text(BAD_SV)
    expect(page.locator("input#id_location")).to_have_value(pin)
    page.get_by_role("button", name="Ta bort kartnålen").click()
    expect(page.locator("input#id_location")).to_have_value("")
    expect(page.locator("#id_location_latlng_error")).to_have_text("")
    expect(page.locator("#id_location_latlng")).not_to_have_attribute("aria-invalid", "true")


def test_removing_the_pin_removes_the_address_it_filled_in(phone, form_url, categories,
                                                           places):
    page = phone
    open_form(page, categories)
    tap_map(page)
    address = page.locator("#id_address")
    expect(address).to_have_value(ON_HALLITUSKATU)
    page.get_by_role("button", name="Poista karttamerkki").click()
    expect(page.locator("input#id_location")).to_have_value("")
    expect(page.locator("#id_location_latlng")).to_have_value("")
    expect(page.locator("#id_location_map .leaflet-marker-icon")).to_have_count(0)
    expect(address).to_have_value("")


def test_removing_the_pin_removes_a_chosen_suggestion(phone, form_url, categories, places):
    page = phone
    open_form(page, categories)
    address = page.locator("#id_address")
    address.press_sequentially("Kaupungint")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_text(["Kaupungintalo"])
    address.press("ArrowDown")
    address.press("Enter")
    expect(address).to_have_value("Kaupungintalo")
    expect(page.locator("input#id_location")).not_to_have_value("")
    page.get_by_role("button", name="Poista karttamerkki").click()
    expect(page.locator("input#id_location")).to_have_value("")
    expect(address).to_have_value("")


def test_removing_the_pin_keeps_an_address_the_resident_typed(phone, form_url, categories,
                                                              places):
    page = phone
    open_form(page, categories)
    address = page.locator("#id_address")
    # Typed before the pin, and typed over the address a pin wrote: both are the resident's.
    page.fill("#id_address", "Pihan perällä")
    tap_map(page)
    page.wait_for_timeout(500)  # the nearest address's answer (not used: the text is typed)
    page.get_by_role("button", name="Poista karttamerkki").click()
    expect(page.locator("input#id_location")).to_have_value("")
    expect(address).to_have_value("Pihan perällä")

    page.fill("#id_address", "")
    tap_map(page, dx=-20, dy=0)
    expect(address).not_to_have_value("")  # the nearest known address, written by the pin
    page.fill("#id_address", "Hallituskadun ja Torikadun kulma")
    page.get_by_role("button", name="Poista karttamerkki").click()
    expect(page.locator("input#id_location")).to_have_value("")
    expect(address).to_have_value("Hallituskadun ja Torikadun kulma")


def test_a_pin_removed_before_its_address_arrives_gets_none(phone, form_url, categories,
                                                            places):
    page = phone
    held = []

    def hold_reverse_lookups(route):
        if "lat=" in route.request.url:
            held.append(route)
        else:
            route.fallback()

    page.route(re.compile(r"/palaute/paikat/"), hold_reverse_lookups)
    open_form(page, categories)
    tap_map(page)
    while not held:
        page.wait_for_timeout(50)
    page.get_by_role("button", name="Poista karttamerkki").click()
    held[0].continue_()
    page.wait_for_timeout(500)
    expect(page.locator("#id_address")).to_have_value("")
    assert len(held) == 1


#: While the form's post is on its way Playwright waits for that navigation before it
#: evaluates anything on the page; the page says what it shows in its console instead, at
#: each "submit" and when told (F9) that the browser brought it back from its memory.
SENDING_REPORTS = """
addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-palaute-form]");
  if (!form) { return; }
  const button = form.querySelector("[data-submit]");
  const status = form.querySelector("[data-sending-status]");
  const report = (what) => console.log("sending-test " + JSON.stringify({
    what, status: status.textContent, shown: status.getClientRects().length > 0,
    role: status.getAttribute("role"), busy: button.getAttribute("aria-busy"),
    disabled: button.getAttribute("aria-disabled")}));
  form.addEventListener("submit", (event) => report(event.defaultPrevented ? "ignored" : "sent"));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "F9") { return; }
    dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}));
    report("back");
  });
});
"""
PREFIX = "sending-test "


def wait_until(page, condition, what):
    for _ in range(100):
        if condition():
            return
        page.wait_for_timeout(50)
    pytest.fail(f"Never came: {what}")


def test_sending_is_shown_and_said_until_the_page_is_left(phone, form_url, categories):
    page = phone
    held, reports = [], []

    def hold_the_post(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.fallback()

    page.route(re.compile(r"/palaute/$"), hold_the_post)
    page.add_init_script(SENDING_REPORTS)
    page.on("console", lambda message: reports.append(json.loads(message.text[len(PREFIX):]))
            if message.text.startswith(PREFIX) else None)
    open_form(page, categories)
    page.fill("#id_message", MESSAGE)
    status = page.locator("[data-sending-status]")
    expect(status).to_have_text("")
    expect(status).to_have_attribute("role", "status")
    button = page.get_by_role("button", name="Lähetä")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    page.mouse.click(x, y)  # (a locator's click would wait for the held post)
    wait_until(page, lambda: held and reports, "the post")
    shown = {"status": "Lähetetään…", "shown": True, "role": "status", "busy": "true",
             "disabled": "true"}
    assert reports == [{"what": "sent", **shown}]
    # A second tap sends nothing more, and the status still says why.
    page.mouse.click(x, y)
    wait_until(page, lambda: len(reports) == 2, "the second tap")
    assert reports[1] == {"what": "ignored", **shown}
    page.wait_for_timeout(300)
    assert len(held) == 1

    # Back to the page from the browser's memory (bfcache): ready to send again.
    page.keyboard.press("F9")
    wait_until(page, lambda: len(reports) == 3, "the page shown again")
    assert reports[2] == {"what": "back", "status": "", "shown": True, "role": "status",
                          "busy": None, "disabled": None}

    with page.expect_navigation(url=RECEIPT_URL):
        held[0].continue_()
    assert Feedback.objects.count() == 1


def test_sending_is_said_in_swedish(phone, form_page, categories):
    swedish_translation(form_page)
    page = phone
    open_form(page, categories, "/sv/palaute/")
    page.fill("#id_message", MESSAGE)
    expect(page.locator("[data-sending-status]")).to_have_attribute("data-text", "Skickar…")
