"""axe-core on the resident's pages: no violations of any impact level."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from palaute_plugin.models import Feedback
from tests.factories import CategoryFactory, OtherAuthorityFactory

from .conftest import DESKTOP

# The live server answers from another thread: the test's data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT_URL = re.compile(r"/palaute/receipt/[\w-]+/$")


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture
def topics(categories):
    """The categories of the shared fixture plus one that belongs to another authority,
    so that its contacts box and the "matters the city does not handle" list render."""
    roads = CategoryFactory(name_fi="Valtatiet E4 ja E8", other_authority=OtherAuthorityFactory(),
                            sort_order=10, description_fi="Valtion tiet")
    return {**categories, "roads": roads}


def assert_no_violations(axe, page):
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def open_form(page, form_url):
    page.goto(form_url)
    # Wait until map.js has shown and booted the map, so that axe sees Leaflet too.
    expect(page.locator("#id_location_map .leaflet-control-zoom-in")).to_be_visible()


def send_valid_form(page, topics):
    page.select_option("#id_category", label=topics["lighting"].name_fi)
    page.fill("#id_message", "Katuvalo on ollut rikki jo viikon Hallituskadulla.")
    page.fill("#id_address", "Hallituskatu 12")
    page.fill("#id_contact_email", "maija@example.com")
    page.click("button[data-submit]")
    page.wait_for_url(RECEIPT_URL)


def test_form_on_a_phone(axe, phone, form_url, topics):
    open_form(phone, form_url)
    assert_no_violations(axe, phone)


def test_form_on_a_desktop(axe, new_context, form_url, topics):
    page = new_context(**DESKTOP, is_mobile=False, has_touch=False).new_page()
    open_form(page, form_url)
    page.locator("details.other-authorities summary").click()  # its contents too
    assert_no_violations(axe, page)


def test_form_with_an_other_authority_topic_chosen(axe, phone, form_url, topics):
    open_form(phone, form_url)
    phone.select_option("#id_category", label=topics["roads"].name_fi)
    expect(phone.locator(f"#authority-for-{topics['roads'].pk}")).to_be_visible()
    assert_no_violations(axe, phone)


def test_form_with_errors(axe, phone, form_url, topics):
    open_form(phone, form_url)
    phone.fill("#id_message", "lyhyt")
    phone.fill("#id_contact_email", "ei-osoite")
    phone.click("button[data-submit]")
    expect(phone.locator("[data-error-summary]")).to_be_focused()
    expect(phone.locator("[aria-invalid=true]")).to_have_count(3)  # topic, message, email
    assert_no_violations(axe, phone)


def test_receipt(axe, phone, form_url, topics):
    open_form(phone, form_url)
    send_valid_form(phone, topics)
    expect(phone.locator(".reference strong")).to_have_text(Feedback.objects.get().reference)
    assert_no_violations(axe, phone)


def test_status_page(axe, phone, form_url, topics):
    open_form(phone, form_url)
    send_valid_form(phone, topics)
    feedback = Feedback.objects.get()
    phone.goto(f"{form_url}status/{feedback.tracking_token}/")
    expect(phone.locator("h1")).to_contain_text(feedback.reference)
    assert_no_violations(axe, phone)
    assert mail.outbox  # the receipt went out; the status link is what it carries
