"""Resident paths in Chromium that only a browser takes: adding information, CSRF, geolocation."""

import re

from playwright.sync_api import expect

from palaute_plugin.models import Feedback
from tests.factories import FeedbackFactory

FOLLOW_UP = "Valo vilkkuu nyt myös naapuritolpassa, numero 14."


def status_path(feedback):
    return f"/palaute/status/{feedback.tracking_token}/"


def test_resident_adds_information_on_the_status_page(phone, form_page, categories,
                                                      responsible):
    feedback = FeedbackFactory(category=categories["lighting"], page=form_page,
                               assignee=responsible)
    page = phone
    page.goto(status_path(feedback))

    page.fill("#id_message", FOLLOW_UP)
    page.click("form.palaute-form button[type=submit]")

    page.wait_for_url(re.compile(r"\?added=1$"))
    expect(page.locator(".notice[role=status]")).to_be_visible()
    expect(page.locator("ul.timeline")).to_contain_text(FOLLOW_UP)
    told = feedback.notifications.filter(template="follow_up").values_list("recipient", flat=True)
    assert list(told) == [responsible.email]
    assert Feedback.objects.get(pk=feedback.pk).version == feedback.version + 1

    # Back (the text is still there) and Send again: added once, the handler told once.
    page.go_back()
    expect(page.locator("#id_message")).to_have_value(FOLLOW_UP)
    page.click("form.palaute-form button[type=submit]")
    page.wait_for_url(re.compile(r"\?added=1$"))
    expect(page.locator("ul.timeline li", has_text=FOLLOW_UP)).to_have_count(1)
    assert feedback.notifications.filter(template="follow_up").count() == 1


def test_an_expired_csrf_token_keeps_the_residents_text(new_context, form_page, categories):
    feedback = FeedbackFactory(category=categories["lighting"], page=form_page)
    context = new_context()
    page = context.new_page()
    page.goto(status_path(feedback))
    context.clear_cookies()  # as when the session expired or cookies were blocked

    page.fill("#id_message", FOLLOW_UP)
    page.click("form.palaute-form button[type=submit]")

    expect(page.locator("h1")).to_have_text("Lomaketta ei voitu lähettää")
    expect(page.locator("textarea#kept-text")).to_have_value(FOLLOW_UP)
    expect(page.get_by_role("link", name="Takaisin lomakkeeseen")).to_have_attribute(
        "href", status_path(feedback))
    assert not feedback.notifications.filter(template="follow_up").exists()


def test_use_my_location_puts_the_pin_in_view_and_says_where(new_context, form_url,
                                                             categories):
    context = new_context(geolocation={"latitude": 65.8512, "longitude": 24.1563},
                          permissions=["geolocation"])
    page = context.new_page()
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)

    page.get_by_role("button", name="Käytä sijaintiani").click()

    status = page.locator(".js-my-location-status")
    expect(status).to_contain_text("Merkki on sijainnissasi (65.85120, 24.15630)")
    expect(page.locator("input#id_location")).to_have_value(
        re.compile(r"^SRID=4326;POINT\(24\.1563\d* 65\.8512\d*\)$"))
    map_box = page.locator("#id_location_map").bounding_box()
    marker = page.locator("#id_location_map .leaflet-marker-icon").bounding_box()
    centre_x, centre_y = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"]
    assert map_box["x"] <= centre_x <= map_box["x"] + map_box["width"]
    assert map_box["y"] <= centre_y <= map_box["y"] + map_box["height"]


def test_a_pin_outside_the_city_is_refused_at_once(phone, form_url, categories, settings):
    # A box around the town centre only: the map's corner lies outside it.
    settings.PALAUTE_AREA_BOUNDS = (65.840, 24.130, 65.856, 24.160)
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    warning = page.locator(".js-outside-area")
    expect(warning).to_be_hidden()

    map_box = page.locator("#id_location_map")
    box = map_box.bounding_box()
    # Near the centre first (a click pans the map to the pin, so order matters): inside.
    map_box.click(position={"x": box["width"] / 2 + 10, "y": box["height"] / 2 + 10})
    expect(page.locator("input#id_location")).not_to_have_value("")
    expect(warning).to_be_hidden()

    map_box.click(position={"x": 5, "y": 5})  # far north-west: outside the box
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Kartalle merkitty paikka on palvelun alueen ulkopuolella")
    expect(page.locator("#id_location_latlng")).to_have_attribute("aria-invalid", "true")

    # Coordinates typed outside, then replaced by words that are no place: the warning
    # about the place before goes with it.
    page.fill("#id_location_latlng", "60.17, 24.94")
    expect(warning).to_be_visible()
    page.fill("#id_location_latlng", "abc")
    expect(warning).to_be_hidden()
    # Words are no coordinates: said at once, next to the box (acceptance test 2026-12-03).
    expect(page.locator("#id_location_latlng")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_location_latlng_error")).to_be_visible()
    expect(page.locator("input#id_location")).to_have_value("")


def test_the_place_is_labelled_optional_or_needed_by_the_topic(phone, form_page, categories):
    lighting, other = categories["lighting"], categories["other"]
    # As an editor saves it (a queryset update would bypass the form cache's signals).
    lighting.location_mode = "required"
    lighting.save()
    page = phone
    page.goto("/palaute/")
    legend = page.locator("[data-location-legend]")
    page.select_option("#id_category", str(other.pk))
    expect(legend).to_have_text("Missä asia sijaitsee? (vapaaehtoinen)")
    page.select_option("#id_category", str(lighting.pk))
    expect(legend).to_have_text(
        "Missä asia sijaitsee? (tarvitaan tässä aiheessa: osoite tai merkintä kartalla)")
    expect(legend).not_to_contain_text("vapaaehtoinen")
    # Neither field says "optional" under a legend that says the place is needed.
    expect(page.locator("label[for=id_address]")).to_have_text("Osoite tai paikka")


def test_switching_the_language_keeps_what_the_resident_typed(phone, form_page, categories,
                                                              tmp_path):
    """Half-way through the form the resident switches to Swedish: the topic, the text, the
    place and the email are there in Swedish; the photo must be chosen again, and the
    form says so in Swedish."""
    from PIL import Image

    from .test_staff_flow import swedish_translation

    swedish_translation(form_page)
    photo = tmp_path / "valo.jpg"
    Image.new("RGB", (64, 48), (200, 160, 30)).save(photo, format="JPEG")
    page = phone
    page.goto("/palaute/")
    page.check("input[name=kind][value=question]")
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    # Two lines and quotes: the values go back into the form whatever they hold.
    typed = f'{FOLLOW_UP}\nToinen rivi: "valo" ei pala.'
    page.fill("#id_message", typed)
    page.locator("#id_location_map").click(position={"x": 80, "y": 60})
    pin = page.locator("input#id_location").input_value()
    page.fill("#id_address", "Torikatu 1")
    page.fill("#id_contact_email", "maija@example.com")
    page.set_input_files("#id_photos", str(photo))

    page.locator(".language-links a[hreflang=sv]").click()
    page.wait_for_url(re.compile(r"/sv/palaute/$"))
    expect(page.locator("#id_message")).to_have_value(typed)
    expect(page.locator("input[name=kind][value=question]")).to_be_checked()
    expect(page.locator("#id_category")).to_have_value(str(categories["lighting"].pk))
    expect(page.locator("#id_address")).to_have_value("Torikatu 1")
    expect(page.locator("#id_contact_email")).to_have_value("maija@example.com")
    expect(page.locator("input#id_location")).to_have_value(pin)
    expect(page.locator("form .notice[role=status]")).to_have_text(
        "Din text sparades på det nya språket. Välj bilderna igen.")
    # Back in Finnish, the form starts empty again (the carried text is used once).
    page.goto("/palaute/")
    expect(page.locator("#id_message")).to_have_value("")


def test_resident_adds_only_a_photo_on_the_status_page(phone, form_page, categories,
                                                       responsible, tmp_path):
    """The photo field says how many and which formats; a photo without words is added,
    and sending nothing at all asks for words or a photo."""
    from PIL import Image

    feedback = FeedbackFactory(category=categories["lighting"], page=form_page,
                               assignee=responsible)
    photo = tmp_path / "tolppa.jpg"
    Image.new("RGB", (80, 60), (30, 90, 160)).save(photo, format="JPEG")
    page = phone
    page.goto(status_path(feedback))
    expect(page.locator("#id_photos_helptext")).to_contain_text(
        "Enintään 5 kuvaa: JPEG, PNG, WebP tai HEIC.")
    page.click("form.palaute-form button[type=submit]")
    expect(page.locator("#id_message_error")).to_contain_text(
        "Kirjoita, mitä haluat lisätä, tai liitä kuva.")

    page.set_input_files("#id_photos", str(photo))
    page.click("form.palaute-form button[type=submit]")
    page.wait_for_url(re.compile(r"\?added=1$"))
    expect(page.locator(".notice[role=status]")).to_be_visible()
    assert feedback.photos.count() == 1
    assert feedback.notifications.filter(template="follow_up").count() == 1


def test_the_message_box_counts_characters_and_keeps_a_pasted_text_whole(phone, form_url,
                                                                         categories):
    """A pasted text over the limit is not cut short: the count says how much too long it
    is, the server refuses it and gives it back whole. Line breaks count once, as the
    count shows them (the browser sends each as two characters)."""
    page = phone
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    count = page.locator("#id_message_count")
    expect(count).to_have_text("Voit kirjoittaa vielä 5000 merkkiä.")
    lines = "\n".join(["Rivi 1234"] * 499)  # 4,989 characters with its 498 line breaks
    page.fill("#id_message", lines)
    expect(count).to_have_text("Voit kirjoittaa vielä 11 merkkiä.")
    too_long = "x" * 5010
    page.fill("#id_message", too_long)
    expect(page.locator("#id_message")).to_have_value(too_long)
    expect(count).to_have_text("Teksti on 10 merkkiä liian pitkä.")
    expect(count).to_have_class(re.compile("character-count--over"))
    page.click("button[data-submit]")
    expect(page.locator(".error-summary")).to_contain_text("enintään 5000 merkin pituinen")
    expect(page.locator("#id_message")).to_have_value(too_long)
    expect(page.locator("#id_message_count")).to_have_text("Teksti on 10 merkkiä liian pitkä.")
    assert not Feedback.objects.exists()

    page.fill("#id_message", lines)
    page.click("button[data-submit]")
    page.wait_for_url(re.compile(r"/palaute/receipt/[\w-]+/$"))
    assert Feedback.objects.get().message == lines
