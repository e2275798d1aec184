"""A feedback administrator reads the statistics report on a desktop: from the Reports
menu to the charts, their tables and the map, narrows it by category, and meets a
clear error for an inverted date range. axe finds nothing."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from palaute_plugin.stats import aggregates
from tests.admin_fixtures import admin_access, in_english
from tests.factories import CategoryFactory, FeedbackFactory, UserFactory

from .test_staff_flow import DESKTOP, log_in, violation_report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def report_data(form_page):
    # A feedback administrator (not a superuser: Wagtail would look for its updates online).
    admin = in_english(UserFactory(username="tilastot"))
    admin.user_permissions.add(admin_access(), Permission.objects.get(
        codename="view_all_feedback"))
    group = CategoryFactory(name_en="Streets", name_fi="Kadut", sort_order=1)
    lighting = CategoryFactory(name_en="Street lighting", name_fi="Katuvalaistus", parent=group,
                               expected_response_days=3)
    parks = CategoryFactory(name_en="Parks", name_fi="Puistot", sort_order=2)
    now = timezone.now()
    for days in range(0, 90, 3):
        created = now - timedelta(days=days, hours=1)
        FeedbackFactory(category=lighting if days % 2 else parks, created_at=created,
                        status="resolved" if days > 10 else "new",
                        first_response_at=created + timedelta(hours=days + 1) if days > 10 else None,
                        closed_at=created + timedelta(days=2) if days > 10 else None,
                        latitude=65.846 + (days % 4) * 0.004, longitude=24.146,
                        channel="phone" if days % 3 else "web")
    aggregates.refresh(now)
    return {"admin": admin, "lighting": lighting, "parks": parks}


def axe_clean(page):
    violations = Axe().run(page).response["violations"]
    assert not violations, "axe:\n" + violation_report(violations)


def test_administrator_reads_and_filters_the_statistics(new_context, report_data):
    page = new_context(**DESKTOP).new_page()
    log_in(page, report_data["admin"])
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Feedback statistics").click()
    page.wait_for_url(re.compile(r"/admin/reports/palaute-tilastot/$"))

    expect(page.get_by_role("heading", name="Feedback statistics", level=1)).to_be_visible()
    expect(page.locator("svg.palaute-chart")).to_have_count(6)
    expect(page.get_by_role("img", name="Cases by kind")).to_be_visible()
    expect(page.locator("table caption", has_text="Cases by channel")).to_be_visible()
    handling = page.locator("table", has_text="Days to first response and to closing")
    expect(handling.locator("tbody tr", has_text="Street lighting")).to_be_visible()
    # The map: a graduated circle per busy place, from our own static Leaflet.
    expect(page.locator("#palaute-stats-map path.leaflet-interactive")).to_have_count(4)
    axe_clean(page)
    # Leaflet's own words in the staff member's language (map-words.js), here Finnish.
    from wagtail.users.models import UserProfile

    UserProfile.objects.filter(user=report_data["admin"]).update(preferred_language="fi")
    page.reload()
    expect(page.locator("#palaute-stats-map .leaflet-control-attribution a").first
           ).to_have_attribute("title", "JavaScript-kirjasto interaktiivisille kartoille")
    expect(page.locator("#palaute-stats-map .leaflet-control-zoom-in")).to_have_attribute(
        "aria-label", "Lähennä")
    UserProfile.objects.filter(user=report_data["admin"]).update(preferred_language="en")
    page.reload()

    page.select_option("#id_category", label="Parks")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"category="))
    expect(page.locator("table", has_text="Each group's total")).not_to_contain_text(
        "Street lighting")
    expect(page.locator("table", has_text="Each group's total")).to_contain_text("Parks")

    today = timezone.localdate()
    page.fill("#id_start", today.isoformat())
    page.fill("#id_end", (today - timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"end="))
    expect(page.get_by_role("alert")).to_contain_text("is after the end date")
    expect(page.locator("svg.palaute-chart")).to_have_count(0)
    axe_clean(page)


#: Each filter field's box and the filter row's: none past the row's right edge, no two
#: overlapping (acceptance test, 2026-12-03: a long topic name pushed the topic select
#: past the edge at 1280 px and the kind field over the channel field at 1366 px).
FIELD_BOXES = """() => {
    const row = document.querySelector('.palaute-stats__fields').getBoundingClientRect();
    const fields = [...document.querySelectorAll('.palaute-stats__fields > *')];
    const boxes = fields.map(field => {
        const own = field.getBoundingClientRect();
        const control = field.querySelector('select, input');
        const inner = control ? control.getBoundingClientRect() : own;
        return {left: Math.min(own.left, inner.left), right: Math.max(own.right, inner.right),
                top: own.top, bottom: own.bottom};
    });
    return {right: row.right, boxes};
}"""


@pytest.mark.parametrize("width", [1024, 1280, 1366])
def test_the_filters_fit_their_row_with_long_topic_names(new_context, report_data, width):
    CategoryFactory(name_en="Meal and cleaning services", name_fi="Ateria- ja puhtauspalvelut",
                    sort_order=3)
    long_name = CategoryFactory(
        name_en="School and day-care meals, special diets and allergies and their notices",
        name_fi="Koulujen ja päiväkotien ateriat, erityisruokavaliot ja allergiailmoitukset",
        parent=report_data["parks"])
    assert long_name.pk
    page = new_context(viewport={"width": width, "height": 900}, is_mobile=False,
                       has_touch=False).new_page()
    log_in(page, report_data["admin"])
    page.goto("/admin/reports/palaute-tilastot/")
    found = page.evaluate(FIELD_BOXES)
    assert len(found["boxes"]) == 6
    for box in found["boxes"]:
        assert box["right"] <= found["right"] + 0.5, (width, box, found["right"])
    for first, second in zip(found["boxes"], found["boxes"][1:], strict=False):
        same_line = first["top"] < second["bottom"] and second["top"] < first["bottom"]
        assert not (same_line and first["right"] > second["left"] + 0.5), (width, first, second)
