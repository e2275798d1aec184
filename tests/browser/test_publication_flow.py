"""The moderated publication in a real browser: a handler proposes, a moderator requests
changes, the handler fixes, the moderator approves, and the public page shows exactly the
moderated text. axe on the new public pages (phone)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from palaute_plugin.publication.models import FeedbackPublication
from tests.publication_fixtures import approve, proposed

from .test_staff_flow import DESKTOP, FADED_IN

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "password"  # UserFactory's


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """Transactional tests flush the database, and content types come back with new
    ids; Django's cache of them would give revisions and workflow states stale ids."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()
FIXED_TEXT = "Katuvalo ei pala Hallituskadulla koulumatkan varrella."
ANSWER = "Valo korjataan tällä viikolla."


def logged_in(new_context, user):
    page = new_context(**DESKTOP).new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def footer_action(page, selector):
    """Click an action of the editor's footer, opening its "more actions" menu first."""
    button = page.locator(selector)
    if not button.is_visible():
        page.locator("footer .w-dropdown__toggle").last.click()
    button.click()


def test_handler_proposes_moderator_requests_changes_then_approves(
        new_context, form_page, workflow, handler, moderator, personal_case):
    # --- the handler proposes from the case screen ---------------------------------------
    handler_page = logged_in(new_context, handler)
    handler_page.goto(f"/admin/palaute/{personal_case.pk}/")
    handler_page.get_by_role("button", name="Propose for publication").click()
    handler_page.wait_for_url(re.compile(r"/admin/snippets/palaute_plugin/feedbackpublication/"
                                         r"edit/\d+/$"))
    publication = FeedbackPublication.objects.get(feedback=personal_case)
    expect(handler_page.locator(".palaute-redactions mark").first).to_have_text("[poistettu]")
    expect(handler_page.locator("#id_text")).not_to_have_value(re.compile("maija@example.com"))

    # --- the moderator finds it awaiting review and requests changes ----------------------
    moderator_page = logged_in(new_context, moderator)
    expect(moderator_page.locator("main")).to_contain_text(publication.title)
    moderator_page.goto(f"/admin/snippets/palaute_plugin/feedbackpublication/edit/"
                        f"{publication.pk}/")
    footer_action(moderator_page, 'button[data-workflow-action-name="reject"]')
    comment = moderator_page.locator(".modal textarea[name=comment]")
    comment.fill("Kirjoita teksti uudelleen ilman nimeä.")
    # Wait for the answer to the post (the next page), not for an idle network.
    with moderator_page.expect_navigation():
        moderator_page.locator(".modal button[type=submit]").click()
    # What happened, not Wagtail's "… updated."
    expect(moderator_page.locator(".messages")).to_contain_text(
        f"Changes were requested to the public record of {personal_case.reference}: "
        "the handler sees your comment.")
    publication.refresh_from_db()
    assert publication.workflow_states.get().status == "needs_changes"
    assert not publication.live

    # --- the handler fixes the text and resubmits -------------------------------------------
    handler_page.reload()
    handler_page.locator("#id_text").fill(FIXED_TEXT)
    handler_page.locator("#id_public_answer").fill(ANSWER)
    with handler_page.expect_navigation():
        footer_action(handler_page, 'button[name="action-submit"]')
    publication.refresh_from_db()
    assert publication.current_workflow_state.status == "in_progress"

    # --- the moderator approves -------------------------------------------------------------
    moderator_page.goto(f"/admin/snippets/palaute_plugin/feedbackpublication/edit/"
                        f"{publication.pk}/")
    expect(moderator_page.locator("#id_text")).to_have_value(FIXED_TEXT)
    footer_action(moderator_page,
                  'button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])')
    moderator_page.wait_for_function(FADED_IN)
    expect(moderator_page.locator(".messages")).to_contain_text(
        f"The public record of {personal_case.reference} was approved and is now public.")
    publication.refresh_from_db()
    assert publication.live

    # --- the public sees exactly the moderated text ------------------------------------------
    public = new_context().new_page()
    public.goto(f"/palaute/julkiset/{publication.reference}/")
    expect(public.locator(".publication__text")).to_have_text(FIXED_TEXT)
    expect(public.locator(".publication__answer")).to_contain_text(ANSWER)
    expect(public.locator("main")).not_to_contain_text("Maija")

    # --- every step is in the case's timeline --------------------------------------------------
    handler_page.goto(f"/admin/palaute/{personal_case.pk}/")
    toggle = handler_page.locator('[data-side-panel-toggle="history"]')
    toggle.click()
    timeline = handler_page.locator('[data-side-panel="history"]')
    expect(timeline).to_be_visible()
    for step in ("Proposed for publication",
                 "The moderator requested changes to the public record",
                 "Kirjoita teksti uudelleen ilman nimeä.", "The public record was published"):
        expect(timeline).to_contain_text(step)


@pytest.fixture
def published(form_page, workflow, handler, moderator, personal_case):
    return approve(proposed(personal_case, handler), moderator)


@pytest.mark.parametrize("path", ["julkiset/", "julkiset/?status=new", "julkiset/kartta/"])
def test_public_pages_have_no_axe_violations(phone, published, path):
    phone.goto(f"/palaute/{path}")
    expect(phone.locator("main")).to_contain_text(published.title)
    results = Axe().run(phone)
    assert results.violations_count == 0, results.generate_report()


def test_detail_page_has_no_axe_violations(phone, published):
    phone.goto(f"/palaute/julkiset/{published.reference}/")
    results = Axe().run(phone)
    assert results.violations_count == 0, results.generate_report()


def test_map_loads_points_and_lists_them_for_the_keyboard(phone, published):
    phone.goto("/palaute/julkiset/kartta/")
    expect(phone.locator(".leaflet-marker-icon, .marker-cluster").first).to_be_visible()
    # Leaflet's own words in the page's language (map-words.js).
    expect(phone.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Lähennä")
    expect(phone.locator(".leaflet-control-attribution a").first).to_have_attribute(
        "title", "JavaScript-kirjasto interaktiivisille kartoille")
    expect(phone.locator(".leaflet-control-attribution a").last).to_have_text(
        "OpenStreetMapin tekijät")
    link = phone.locator("[data-map-list] a").first
    expect(link).to_have_text(published.title)
    link.focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(rf"/palaute/julkiset/{published.reference}/$"))


def test_the_lists_filters_go_with_it_to_the_map(phone, published, handler, moderator,
                                                  streets):
    """A resident narrows the list to one topic and opens the map: only that topic's
    records are on it and beside it, and the way back keeps the filter."""
    from django.core.cache import cache

    from tests.factories import CategoryFactory, FeedbackFactory

    parks = CategoryFactory(name_fi="Puistot")
    other = approve(proposed(FeedbackFactory(category=streets, latitude=65.848, longitude=24.15,
                                             message="Penkki on rikki puistossa."),
                             handler), moderator)
    FeedbackPublication.objects.filter(pk=other.pk).update(category=parks)
    cache.clear()
    phone.goto("/palaute/julkiset/")
    phone.select_option("#id_category", label="Puistot")
    phone.locator("form.publication-filters button[type=submit]").click()
    phone.wait_for_url(re.compile(rf"\?category={parks.pk}"))
    phone.get_by_role("link", name="Näytä kartalla").click()
    phone.wait_for_url(re.compile(rf"/julkiset/kartta/\?category={parks.pk}$"))
    expect(phone.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(phone.locator("[data-map-list] a")).to_have_text([other.title])
    phone.get_by_role("link", name="Näytä kaikki kartalla").click()
    expect(phone.locator("[data-map-list] a")).to_have_count(2)


@pytest.mark.parametrize("near", ["top", "centre"])
def test_a_tapped_pin_opens_a_popup_that_stays_and_leads_to_the_record(phone, published, near):
    """A resident taps a pin: its popup opens and stays open (the popup's own pan of the
    map loaded the area again and took the pin and its popup away), and its link opens
    the record. Near the map's top edge the popup must pan the map to fit."""
    # The map opens centred on 65.8481, 24.1466 at zoom 13 (about 8 m a pixel here):
    # 0.0125 degrees north is some 170 pixels up, less than the popup needs above a pin.
    FeedbackPublication.objects.filter(pk=published.pk).update(
        latitude=65.8481 + (0.0125 if near == "top" else 0), longitude=24.1466)
    from django.core.cache import cache
    cache.clear()
    phone.goto("/palaute/julkiset/kartta/")
    pin = phone.locator(".leaflet-marker-icon")
    expect(pin).to_have_count(1)
    pin.tap()
    popup = phone.locator(".leaflet-popup-content a")
    expect(popup).to_have_text(published.title)
    phone.wait_for_load_state("networkidle")
    phone.wait_for_timeout(500)  # Leaflet's pan animation is 250 ms
    expect(popup).to_be_visible()
    if near == "top":
        # Closing the popup loads the area the map was panned to (the list follows).
        with phone.expect_response(re.compile(r"kartta\.geojson\?bbox=")):
            phone.locator(".leaflet-popup-close-button").tap()
        expect(popup).to_have_count(0)
        pin.tap()
    popup.tap()
    phone.wait_for_url(re.compile(rf"/palaute/julkiset/{published.reference}/$"))


def test_a_group_chosen_in_the_lists_filters_shows_its_subtopics(phone, published, streets):
    """The topics are grouped as in the resident form; the group's first option is the whole
    group, and choosing it lists (and maps) its subtopics' records."""
    from django.core.cache import cache

    from tests.factories import CategoryFactory

    traffic = CategoryFactory(name_fi="Liikenne")
    streets.parent = traffic
    streets.save()
    cache.clear()
    phone.goto("/palaute/julkiset/")
    expect(phone.locator("#id_category optgroup[label=Liikenne] option")).to_have_text(
        ["Liikenne: kaikki aiheet", streets.name_fi])
    phone.select_option("#id_category", label="Liikenne: kaikki aiheet")
    phone.locator("form.publication-filters button[type=submit]").click()
    phone.wait_for_url(re.compile(rf"\?category={traffic.pk}"))
    expect(phone.locator("main h3 a")).to_have_text([published.title])
    phone.get_by_role("link", name="Näytä kartalla").click()
    expect(phone.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(phone.locator("[data-map-list] a")).to_have_text([published.title])


def test_moderator_declines_a_draft_and_the_handler_reads_why(
        new_context, form_page, workflow, handler, moderator, personal_case):
    """"Do not publish" beside "Request changes": the draft goes, the case's history and
    the handler's email say why (acceptance test, 2026-12-03: no way to refuse)."""
    from django.core import mail

    from tests.publication_fixtures import proposed

    publication = proposed(personal_case, handler)
    mail.outbox.clear()
    page = logged_in(new_context, moderator)
    page.goto(f"/admin/snippets/palaute_plugin/feedbackpublication/edit/{publication.pk}/")
    footer_action(page, f'a[href$="/decline/{publication.pk}/"]')
    page.wait_for_url(re.compile(rf"/feedbackpublication/decline/{publication.pk}/$"))
    expect(page.locator("h1")).to_contain_text("Do not publish")
    page.get_by_role("button", name="Do not publish").click()
    expect(page.locator(".w-field__errors")).to_contain_text(
        "Say why it is not published")
    page.get_by_label("Why is it not published?").fill("Koskee yhtä asukasta.")
    with page.expect_navigation():
        page.get_by_role("button", name="Do not publish").click()
    expect(page.locator(".messages")).to_contain_text(
        f"{personal_case.reference} will not be published")
    assert not FeedbackPublication.objects.filter(pk=publication.pk).exists()
    told = [m for m in mail.outbox if m.to == [handler.email]]
    assert len(told) == 1 and "Koskee yhtä asukasta." in told[0].body

    handler_page = logged_in(new_context, handler)
    handler_page.goto(f"/admin/palaute/{personal_case.pk}/")
    handler_page.locator('[data-side-panel-toggle="history"]').click()
    expect(handler_page.locator('[data-side-panel="history"]')).to_contain_text(
        "Koskee yhtä asukasta.")
    expect(handler_page.get_by_role("button", name="Propose for publication")).to_be_visible()
