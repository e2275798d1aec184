"""A handler with the legal-hold permission puts a case on hold from the case screen,
with a reason, and lifts it again (insights/views.py LegalHoldView)."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from palaute_plugin.insights.models import LegalHold
from tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
REASON = "Oikaisuvaatimus vireillä"


def test_put_on_hold_and_lift(new_context, handler, streets):
    handler.user_permissions.add(Permission.objects.get(
        codename="set_legal_hold", content_type__app_label="palaute_plugin"))
    case = FeedbackFactory(category=streets)
    page = new_context(**DESKTOP).new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", handler.username)
    page.fill("#id_password", "password")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"/admin/palaute/{case.pk}/")
    panel = page.locator('[data-side-panel="status"]')
    if not panel.is_visible():
        page.locator('[data-side-panel-toggle="status"]').click()
    expect(panel.locator(".palaute-case__hold-state")).to_have_text("None")
    panel.get_by_role("link", name="Put on legal hold").click()
    page.wait_for_url(re.compile(rf"/admin/palaute-sailytys/{case.pk}/$"))

    page.get_by_role("button", name="Put on legal hold").click()  # no reason yet
    expect(page.locator(".error-message")).to_contain_text("Write the reason")
    page.get_by_label("Reason").fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Put on legal hold").click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{case.pk}/$"))
    expect(page.locator(".messages .success")).to_contain_text("is on legal hold")
    assert LegalHold.objects.get(feedback=case).reason == REASON
    if not panel.is_visible():
        page.locator('[data-side-panel-toggle="status"]').click()
    expect(panel.locator(".palaute-case__hold-state")).to_have_text("In force")
    expect(panel.locator(".palaute-case__hold-reason")).to_have_text(REASON)

    page.goto(f"/admin/palaute-sailytys/{case.pk}/")
    expect(page.locator(".palaute-legal-hold__state")).to_contain_text(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Lift the legal hold").click()
    expect(page.locator(".messages .success")).to_contain_text("was lifted")
    assert not LegalHold.objects.filter(feedback=case).exists()
