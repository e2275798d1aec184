"""Feedback beside the feedback page: a resident sends the block's form on a content page
(phone), a handler converts a free-form form's submission (desktop), and axe finds
nothing on a free-form form page or on a page with the block."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from wagtail.contrib.forms.utils import get_form_types
from wagtail.models import Site

from home.models import ContentPage, FeedbackLinkSettings
from palaute_plugin.models import Feedback
from tests.admin_fixtures import handled_category, handler_of
from tests.factories import site_root
from tests.legacy_fixtures import legacy_form, may_edit_forms, submission_of

from .test_resident_flow import resident_mails, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
PASSWORD = "password"  # UserFactory's


@pytest.fixture(scope="module")
def axe():
    return Axe()


def assert_no_violations(axe, page):
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def winter(form_page, responsible):
    return handled_category("Talvi", name_fi="Talvikunnossapito", responsible_person=responsible)


@pytest.fixture
def block_page(winter, form_page):
    page = ContentPage(title="Katujen talvikunnossapito", slug="talvikunnossapito", body=[
        ("paragraph", "<p>Pääkadut aurataan ensin.</p>"),
        ("feedback", {"heading": "Anna palautetta talvikunnossapidosta", "category": winter,
                      "category_group": None}),
    ])
    site_root().add_child(instance=page)
    FeedbackLinkSettings.objects.create(site=Site.objects.get(is_default_site=True),
                                        feedback_page=form_page)
    return page


def test_resident_sends_the_blocks_form_on_a_phone(axe, phone, block_page, winter):
    phone.goto(block_page.url)
    expect(phone.get_by_role("heading", name="Anna palautetta talvikunnossapidosta")).to_be_visible()
    expect(phone.get_by_role("link", name="Anna palautetta")).to_have_attribute(
        "href", f"/palaute/?from={block_page.pk}")
    assert_no_violations(axe, phone)
    phone.get_by_label("Kysymys").check()
    phone.get_by_label("Viestisi").fill("Jalkakäytävä on auraamatta Hallituskadulla.")
    phone.get_by_label("Sähköposti (vapaaehtoinen)").fill("maija@example.com")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Lähetä").click()
    expect(phone.get_by_role("status")).to_contain_text("Kiitos, palautteesi on vastaanotettu.")
    assert "talvikunnossapito/?palaute=" in phone.url
    assert_no_violations(axe, phone)
    case = Feedback.objects.get()
    expect(phone.get_by_role("status")).to_contain_text(case.reference)
    assert (case.kind, case.category, case.source_page_id) == ("question", winter, block_page.pk)
    receipts = wait_for(lambda: resident_mails("maija@example.com"))
    assert len(receipts) == 1 and case.reference in receipts[0].subject


def test_block_errors_on_a_phone(axe, phone, block_page):
    phone.goto(block_page.url)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Lähetä").click()
    expect(phone.locator("[data-error-summary]")).to_be_focused()
    expect(phone.locator("[data-error-summary]")).to_contain_text("Kirjoita viestisi.")
    assert_no_violations(axe, phone)
    assert not Feedback.objects.exists()


def test_legacy_form_page_on_a_phone(axe, phone, form_page):
    page = legacy_form()
    phone.goto(page.url)
    expect(phone.get_by_role("heading", name="Kirjaston palaute")).to_be_visible()
    assert_no_violations(axe, phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Lähetä").click()
    expect(phone.locator("[data-error-summary]")).to_be_focused()
    assert_no_violations(axe, phone)


def test_handler_converts_a_submission_and_the_resident_gets_one_receipt(
        new_context, form_page, responsible):
    # Wagtail caches the form page types' content type ids for the process; a flush
    # between transactional tests can give them new ids.
    get_form_types.cache_clear()
    library = handled_category("Kirjasto", name_fi="Kirjasto", name_en="Library",
                               responsible_person=responsible)
    handler = handler_of(library, username="kirjastonhoitaja")
    page = legacy_form(feedback_category=library, feedback_message_field="Viesti",
                       feedback_email_field="Sähköposti", feedback_name_field="Nimi")
    may_edit_forms(library.handler_group, page)
    submission = submission_of(page)

    browser_page = new_context(**DESKTOP).new_page()
    browser_page.goto("/admin/login/")
    browser_page.fill("#id_username", handler.username)
    browser_page.fill("#id_password", PASSWORD)
    browser_page.locator("form button[type=submit]").click()
    browser_page.wait_for_url(re.compile(r"/admin/$"))

    browser_page.goto(f"/admin/forms/submissions/{page.pk}/")
    browser_page.get_by_role("link", name="Convert into feedback").click()
    expect(browser_page.get_by_label("Category")).to_have_value(str(library.pk))
    expect(browser_page.get_by_label("Message field")).to_have_value("viesti")
    with browser_page.expect_navigation():
        browser_page.get_by_role("button", name="Convert into feedback").click()
    case = Feedback.objects.get()
    expect(browser_page.locator("[data-legacy-case]")).to_contain_text(
        f"converted → case {case.reference}")
    assert (case.channel, case.legacy_submission_id) == ("legacy_form", submission.pk)

    # Converting the same submission again from a stale page is refused.
    browser_page.goto(f"/admin/palaute/lomakkeet/{page.pk}/muunna/"
                      f"?selected-submissions={submission.pk}")
    with browser_page.expect_navigation():
        browser_page.get_by_role("button", name="Convert into feedback").click()
    expect(browser_page.locator("main")).to_contain_text("Already converted into feedback")
    receipts = wait_for(lambda: resident_mails("liisa@example.com"))
    assert len(receipts) == 1 and case.reference in receipts[0].subject
    assert Feedback.objects.count() == 1
