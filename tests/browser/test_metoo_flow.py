""""Reported already?" and "me too" on a phone: the hint appears while the resident marks
the place, "me too" sends a confirmation email whose link, opened in the browser,
confirms; the unsubscribe link ends it. axe on every new page."""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from palaute_plugin.publication.models import FeedbackPublication
from tests.factories import FeedbackFactory
from tests.test_metoo import public_record

from .test_resident_flow import MESSAGE, RECEIPT_URL, resident_mails, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRM_LINK = re.compile(r"https?://\S+/palaute/mina-myos/vahvista/[\w-]+/")
EMAIL = "naapuri@example.com"


def assert_no_axe_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def earlier(categories):
    case = FeedbackFactory(category=categories["lighting"], latitude=65.846, longitude=24.144)
    return public_record(case, title="Katuvalo pimeänä Hallituskadulla")


def test_hint_then_me_too_confirmed_by_the_emailed_link(new_context, form_url, categories,
                                                        earlier, live_server):
    context = new_context()
    page = context.new_page()
    page.goto(form_url)
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    page.fill("#id_message", MESSAGE)
    page.fill("#id_location_latlng", "65.8462,24.1441")

    status = page.locator("[data-nearby-status]")
    expect(status).to_have_text("Lähellä on 1 samanlainen ilmoitus")
    expect(status).to_have_attribute("role", "status")
    hint = page.locator("[data-nearby-list] li")
    expect(hint).to_have_count(1)
    expect(hint.first).to_contain_text(earlier.title)
    expect(hint.first).to_contain_text("Uusi")
    assert_no_axe_violations(page)

    # Another topic: no hint, and the live region says nothing.
    page.select_option("#id_category", label=categories["other"].name_fi)
    expect(page.locator("[data-nearby-list]")).to_be_hidden()
    expect(status).to_have_text("")
    page.select_option("#id_category", label=categories["lighting"].name_fi)
    expect(hint).to_have_count(1)

    with context.expect_page() as opened:
        hint.first.locator(".nearby__metoo").click()
    metoo = opened.value
    metoo.wait_for_load_state()
    expect(metoo.locator("h1")).to_have_text("Tämä koskee minuakin")
    assert_no_axe_violations(metoo)
    metoo.fill("#id_email", EMAIL)
    with metoo.expect_navigation():
        metoo.locator("form.palaute-form button[type=submit]").click()
    expect(metoo.locator("[role=status] h2")).to_have_text("Tarkista sähköpostisi")
    assert_no_axe_violations(metoo)

    mails = wait_for(lambda: resident_mails(EMAIL))
    assert len(mails) == 1
    link = urlsplit(CONFIRM_LINK.search(mails[0].body).group(0)).path
    metoo.goto(live_server.url + link)
    expect(metoo.locator("h1")).to_have_text("Vahvista ”minäkin”")
    assert_no_axe_violations(metoo)
    with metoo.expect_navigation():
        metoo.locator("main form button").click()
    expect(metoo.locator("h1")).to_have_text("Seuraat tätä asiaa")
    expect(metoo.locator("main")).to_contain_text("Asia koskee 2 asukasta.")
    assert_no_axe_violations(metoo)
    assert FeedbackPublication.objects.get(pk=earlier.pk).affected_count == 2

    metoo.locator("main a", has_text="Lopeta tämän asian seuraaminen").click()
    expect(metoo.locator("h1")).to_have_text("Lopetetaanko asian seuraaminen?")
    assert_no_axe_violations(metoo)
    with metoo.expect_navigation():
        metoo.locator("main form button").click()
    expect(metoo.locator("h1")).to_have_text("Et enää seuraa tätä asiaa")
    assert FeedbackPublication.objects.get(pk=earlier.pk).affected_count == 1


def test_receipt_lists_the_nearby_case_with_a_me_too_link(phone, form_url, categories,
                                                          earlier):
    phone.goto(form_url)
    phone.select_option("#id_category", label=categories["lighting"].name_fi)
    phone.fill("#id_message", MESSAGE)
    phone.fill("#id_location_latlng", "65.8462,24.1441")
    expect(phone.locator("input#id_location")).not_to_have_value("")
    phone.click("button[data-submit]")
    phone.wait_for_url(RECEIPT_URL)
    nearby = phone.locator("section.nearby li")
    expect(nearby).to_have_count(1)
    expect(nearby.first).to_contain_text(earlier.title)
    assert_no_axe_violations(phone)
    nearby.first.locator(".nearby__metoo").click()
    expect(phone.locator("h1")).to_have_text("Tämä koskee minuakin")
