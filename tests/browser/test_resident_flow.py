"""What a resident does on a phone: fill in /palaute/, get a receipt, follow the case."""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from palaute_plugin.models import Feedback
from tests.factories import CategoryFactory, OtherAuthorityFactory

# The live server answers from another thread: the test's data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT_URL = re.compile(r"/palaute/receipt/[\w-]+/$")
STATUS_LINK = re.compile(r"https?://\S+/palaute/status/[\w-]+/")
MESSAGE = "Katuvalo on ollut rikki jo viikon Hallituskadulla."


def wait_for(condition, timeout=5.0):
    """Poll ``condition`` (the live server works in another thread); return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def resident_mails(address):
    return [m for m in mail.outbox if m.to == [address]]


def active_element(page, expression="el => el"):
    return page.evaluate_handle("document.activeElement").evaluate(expression)


def tab_to(page, selector, max_presses=60):
    """Press Tab until the element matching ``selector`` has focus (fail if never)."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_happy_path_with_map_photo_and_email(phone, form_url, categories, live_server,
                                             tmp_path):
    lighting = categories["lighting"]
    photo = tmp_path / "katuvalo.jpg"
    Image.new("RGB", (320, 240), (200, 160, 30)).save(photo, format="JPEG")
    page = phone
    page.goto(form_url)

    page.check("input[name=kind][value=question]")
    # The child category sits in its group's <optgroup>.
    group = page.locator(f'#id_category optgroup[label="{categories["group"].name_fi}"]')
    expect(group.locator("option")).to_have_text([lighting.name_fi])
    page.select_option("#id_category", label=lighting.name_fi)
    page.fill("#id_message", MESSAGE)

    # The map is shown by JavaScript; a click away from the pin places it.
    map_box = page.locator("#id_location_map")
    expect(map_box).to_be_visible()
    location = page.locator("input#id_location")
    expect(location).to_have_value("")
    map_box.click(position={"x": 80, "y": 60})
    expect(location).to_have_value(re.compile(r"^SRID=4326;POINT\(\S+ \S+\)$"))
    expect(page.locator("#id_location_latlng")).not_to_have_value("")

    page.set_input_files("#id_photos", str(photo))
    expect(page.locator("[data-photo-previews] img")).to_have_count(1)
    expect(page.locator("[data-photo-previews] img")).to_have_attribute("alt", photo.name)

    page.fill("#id_contact_email", "maija@example.com")
    page.click("button[data-submit]")
    page.wait_for_url(RECEIPT_URL)

    feedback = Feedback.objects.get()
    assert feedback.kind == Feedback.Kind.QUESTION
    assert feedback.category == lighting
    assert feedback.message == MESSAGE
    assert feedback.contact_email == "maija@example.com"
    assert feedback.latitude is not None and feedback.longitude is not None
    assert 65.55 <= feedback.latitude <= 66.45 and 23.55 <= feedback.longitude <= 24.95
    assert feedback.photos.count() == 1
    assert urlsplit(page.url).path == f"/palaute/receipt/{feedback.tracking_token}/"
    expect(page.locator(".reference strong")).to_have_text(feedback.reference)
    expect(page.locator(".status-link a")).to_contain_text(
        f"/palaute/status/{feedback.tracking_token}/")

    receipts = wait_for(lambda: resident_mails("maija@example.com"))
    assert len(receipts) == 1
    body = receipts[0].body
    assert feedback.reference in body
    links = STATUS_LINK.findall(body)
    assert links, body
    status_path = urlsplit(links[0]).path
    assert status_path == f"/palaute/status/{feedback.tracking_token}/"

    # The link is absolute to the Site's hostname (localhost:80 in tests); open the
    # same path on the live server.
    page.goto(live_server.url + status_path)
    expect(page.locator("h1")).to_contain_text(feedback.reference)
    status = page.locator("strong.status")
    expect(status).to_have_class(re.compile(r"\bstatus--new\b"))
    expect(status).not_to_be_empty()
    expect(page.locator("blockquote.message")).to_have_text(MESSAGE)

    # The photo sent, as cleaned: a thumbnail that loads, opening the photo itself.
    thumbnail = page.get_by_role("img", name="Kuva 1")
    expect(thumbnail).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=thumbnail.element_handle())
    photo_id = feedback.photos.get().pk
    with page.expect_response(f"**/kuvat/{photo_id}/full/") as opened:
        thumbnail.click()
    assert opened.value.status == 200
    assert opened.value.headers["content-type"] == "image/jpeg"


def test_keyboard_only_with_address_instead_of_map(phone, form_url, categories):
    page = phone
    page.goto(form_url)

    tab_to(page, "input[name=kind]")
    assert active_element(page, "el => el.value") == "feedback"  # the checked radio
    page.keyboard.press("ArrowDown")
    assert active_element(page, "el => el.value") == "question"
    assert page.is_checked("input[name=kind][value=question]")

    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")  # the first topic: the child in the first group
    assert page.input_value("#id_category") == str(categories["lighting"].pk)

    tab_to(page, "#id_message")
    page.keyboard.type(MESSAGE)
    tab_to(page, "#id_address")
    page.keyboard.type("Hallituskatu 12")
    tab_to(page, "#id_contact_email")
    page.keyboard.type("maija@example.com")
    tab_to(page, "button[data-submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(RECEIPT_URL)

    feedback = Feedback.objects.get()
    assert feedback.kind == Feedback.Kind.QUESTION
    assert feedback.category == categories["lighting"]
    assert feedback.address == "Hallituskatu 12"
    assert feedback.latitude is None  # the map was never touched
    assert feedback.message == MESSAGE


def test_keyboard_space_on_send_button_submits(phone, form_url, categories):
    page = phone
    page.goto(form_url)
    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_message")
    page.keyboard.type(MESSAGE)
    tab_to(page, "button[data-submit]")
    page.keyboard.press("Space")
    page.wait_for_url(RECEIPT_URL)
    assert Feedback.objects.count() == 1


def test_form_works_without_javascript(new_context, form_url, categories):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(form_url)

    expect(page.locator("[data-map]")).to_be_hidden()
    expect(page.locator("#id_location_map")).to_be_hidden()
    expect(page.locator("#id_address")).to_be_visible()
    page.check("input[name=kind][value=proposal]")
    page.select_option("#id_category", label=categories["other"].name_fi)
    page.fill("#id_message", MESSAGE)
    page.fill("#id_address", "Torikatu 1")
    page.fill("#id_contact_email", "maija@example.com")
    page.click("button[data-submit]")
    page.wait_for_url(RECEIPT_URL)

    feedback = Feedback.objects.get()
    assert feedback.kind == Feedback.Kind.PROPOSAL
    assert feedback.category == categories["other"]
    assert feedback.address == "Torikatu 1" and feedback.latitude is None
    expect(page.locator(".reference strong")).to_have_text(feedback.reference)


def test_error_summary_takes_focus_and_links_to_fields(phone, form_url, categories):
    page = phone
    page.goto(form_url)
    page.click("button[data-submit]")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.title().startswith("Virhe: ")  # a Finnish page

    hrefs = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "#id_category" in hrefs and "#id_message" in hrefs
    for href in hrefs:
        assert href.startswith("#")
        expect(page.locator(href)).to_have_count(1)
        expect(page.locator(href)).to_have_attribute("aria-invalid", "true")

    summary.locator('a[href="#id_message"]').click()
    expect(page.locator("#id_message")).to_be_focused()
    assert Feedback.objects.count() == 0


def test_error_summary_link_for_the_place_reaches_the_coordinates_box(phone, form_url,
                                                                      categories):
    """A place outside Tornio typed into the coordinate box: the summary's link must
    lead to something the resident can see and edit, not the hidden input."""
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    page.fill("#id_message", MESSAGE)
    page.fill("#id_location_latlng", "60.1699,24.9384")  # Helsinki
    expect(page.locator("input#id_location")).not_to_have_value("")
    page.click("button[data-submit]")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    link = summary.locator('a[href^="#id_location"]')
    expect(link).to_have_count(1)
    target = page.locator(link.get_attribute("href"))
    expect(target).to_be_visible()
    expect(target).to_be_editable()
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(target).to_have_attribute("aria-describedby", re.compile(r"\bid_location_error\b"))
    link.click()
    expect(target).to_be_focused()
    assert Feedback.objects.count() == 0


def test_map_settles_without_javascript_errors(new_context, form_url, categories):
    """Left alone for a few seconds (wagtailgeowidget re-reads the coordinate box after
    a second), the map raises no error and still has no place chosen."""
    page = new_context().new_page()
    page.goto(form_url)
    expect(page.locator("#id_location_map .leaflet-control-zoom-in")).to_be_visible()
    page.wait_for_timeout(2500)
    errors = list(new_context.js_errors)
    new_context.js_errors.clear()  # reported here, not again at teardown
    assert errors == []
    expect(page.locator("input#id_location")).to_have_value("")
    expect(page.locator("#id_location_latlng")).to_have_value("")
    # No pin before a place is chosen: a faded one at the centre read as a place marked.
    expect(page.locator("#id_location_map .leaflet-marker-icon")).to_have_count(0)


def test_other_authority_category_shows_contacts_instead_of_the_form(phone, form_url,
                                                                     categories):
    authority = OtherAuthorityFactory()
    roads = CategoryFactory(name_fi="Valtatiet E4 ja E8", other_authority=authority,
                            sort_order=10)
    page = phone
    page.goto(form_url)
    box = page.locator(f"#authority-for-{roads.pk}")
    body = page.locator("[data-form-body]")
    expect(box).to_be_hidden()
    expect(body).to_be_visible()

    page.select_option("#id_category", label=roads.name_fi)
    expect(box).to_be_visible()
    expect(box).to_contain_text(authority.name_fi)
    expect(box.locator(f'a[href="mailto:{authority.email}"]')).to_be_visible()
    expect(box.locator('a[href^="tel:"]')).to_have_text(authority.phone)
    expect(body).to_be_hidden()
    expect(page.locator("button[data-submit]")).to_be_hidden()

    # Changing one's mind brings the form back.
    page.select_option("#id_category", label=categories["other"].name_fi)
    expect(box).to_be_hidden()
    expect(body).to_be_visible()


def test_double_click_on_send_creates_one_case(phone, form_url, categories):
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    page.fill("#id_message", MESSAGE)
    page.fill("#id_contact_email", "maija@example.com")
    page.dblclick("button[data-submit]")
    page.wait_for_url(RECEIPT_URL)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # room for a second post to arrive, if one was sent

    assert Feedback.objects.count() == 1
    feedback = Feedback.objects.get()
    expect(page.locator(".reference strong")).to_have_text(feedback.reference)
    assert len(wait_for(lambda: resident_mails("maija@example.com"))) == 1


def test_back_after_sending_and_send_again_creates_one_case(phone, form_url, categories,
                                                           tmp_path):
    """Back from the receipt shows the form as sent (a new token: the page is not cached);
    sending it again shows the first case's receipt, and says so. The place comes back
    too (the address and the pin, on a topic that needs one), and Chromium keeps the photo."""
    lighting = categories["lighting"]
    lighting.location_mode = "required"
    lighting.save()
    photo = tmp_path / "lamppu.jpg"
    Image.new("RGB", (320, 240), (200, 160, 30)).save(photo, format="JPEG")
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=lighting.name_fi)
    page.fill("#id_message", MESSAGE)
    page.locator("#id_location_map").click(position={"x": 80, "y": 60})
    pin = page.locator("input#id_location")
    expect(pin).to_have_value(re.compile(r"^SRID=4326;POINT"))
    sent_pin = pin.input_value()
    page.fill("#id_address", "Torikatu 1")
    page.set_input_files("#id_photos", str(photo))
    page.fill("#id_contact_email", "maija@example.com")
    page.click("button[data-submit]")
    page.wait_for_url(RECEIPT_URL)

    page.go_back()
    expect(page.locator("#id_message")).to_have_value(MESSAGE)
    expect(page.locator("#id_address")).to_have_value("Torikatu 1")
    expect(pin).to_have_value(sent_pin)
    page.click("button[data-submit]")
    page.wait_for_url(re.compile(r"/palaute/receipt/[\w-]+/\?again=1$"))

    feedback = Feedback.objects.get()
    expect(page.locator(".notice[role=status]")).to_contain_text(
        "Olit jo lähettänyt tämän viestin")
    expect(page.locator(".reference strong")).to_have_text(feedback.reference)
    assert feedback.photos.count() == 1
    assert len(wait_for(lambda: resident_mails("maija@example.com"))) == 1
