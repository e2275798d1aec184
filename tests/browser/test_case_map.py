"""The case screen's read-only map shows the case's point (desktop Chromium)."""

import pytest
from playwright.sync_api import expect

from palaute_plugin import actions

from .test_publication_flow import logged_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_case_screen_map_shows_the_point_and_passes_axe(new_context, form_page, streets,
                                                        handler):
    from axe_playwright_python.sync_playwright import Axe

    case = actions.submit_feedback(actions.Submission(
        category=streets, message="Katuvalo ei pala Hallituskadulla.",
        location=(65.8481, 24.1466), address="Hallituskatu 12"), page=form_page)
    from wagtail.users.models import UserProfile

    UserProfile.objects.filter(user=handler).update(preferred_language="fi")
    page = logged_in(new_context, handler)
    logs = []
    page.on("console", lambda message: logs.append(message.text))
    page.on("pageerror", lambda error: logs.append(str(error)))
    page.goto(f"/admin/palaute/{case.pk}/")
    map_box = page.locator(".palaute-map--readonly")
    expect(map_box.locator(".leaflet-container")).to_be_visible()
    expect(map_box.locator(".leaflet-marker-icon")).to_be_visible()
    # Leaflet's own words in the staff member's language (map-words.js).
    expect(map_box.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Lähennä")
    expect(map_box.locator(".leaflet-control-zoom-out")).to_have_attribute(
        "aria-label", "Loitonna")
    expect(map_box.locator(".leaflet-marker-icon")).to_have_attribute("alt", "Karttamerkki")
    expect(map_box.locator(".leaflet-control-attribution a").first).to_have_attribute(
        "title", "JavaScript-kirjasto interaktiivisille kartoille")
    results = Axe().run(page, context=".palaute-map--readonly")
    assert results.response["violations"] == []
    assert [line for line in logs if "Error" in line] == []
