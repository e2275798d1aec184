"""A data protection officer on a desktop finds a resident's cases by email, downloads
the resident's copy and erases the personal data (insights/views.py DataRequestView),
and the address is in no URL the browser asks for nor in any Referer it sends."""

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from palaute_plugin.models import Feedback
from tests.admin_fixtures import admin_user
from tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}


#: Our markup on the page (the rest is Wagtail's chrome).
OUR_MARKUP = "#palaute-data-request-find-section, #palaute-data-request-results-section"


def axe_our_markup(page):
    """axe on the page: violations inside our panels fail."""
    ours = []
    for violation in Axe().run(page).response["violations"]:
        inside = [node for node in violation["nodes"]
                  if page.locator(node["target"][-1]).first.evaluate(
                      "(el, ours) => !!el.closest(ours)", OUR_MARKUP)]
        if inside:
            ours.append(f"{violation['id']}: {[node['target'] for node in inside]}")
    assert ours == []


@pytest.fixture
def officer(live_server):
    user = admin_user(username="tietosuoja")
    # An officer who may also read every case: the results link to them (an officer who
    # may not gets references without links).
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["handle_data_requests", "view_all_feedback"],
        content_type__app_label="palaute_plugin"))
    return user


def test_find_export_and_erase(new_context, officer, streets):
    case = FeedbackFactory(category=streets, contact_email="maija@example.com",
                           contact_name="Maija Meikäläinen")
    page = new_context(**DESKTOP).new_page()
    # Every URL the browser asks for, and the page it says it came from (Referer).
    sent = []
    page.on("request", lambda request: sent.extend(
        [request.url, request.headers.get("referer", "")]))
    page.goto("/admin/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", "password")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.locator('#wagtail-sidebar a[href="/admin/palaute-tietopyynnot/"]').click()
    page.wait_for_url(re.compile(r"/admin/palaute-tietopyynnot/$"))
    page.get_by_label("Email address").fill("nobody@example.com")
    page.get_by_role("button", name="Find").click()
    expect(page.locator(".palaute-data-request__none")).to_be_visible()

    page.get_by_label("Email address").fill("maija@example.com")
    page.get_by_role("button", name="Find").click()
    expect(page.locator(".palaute-data-request__cases")).to_contain_text(case.reference)
    expect(page).to_have_url(re.compile(r"/admin/palaute-tietopyynnot/$"))
    assert page.locator(OUR_MARKUP).count() == 2
    axe_our_markup(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export for the resident (JSON)").click()
    exported = json.loads(open(download_info.value.path(), encoding="utf-8").read())
    assert [item["reference"] for item in exported["cases"]] == [case.reference]

    # Opening a case found sends the results page as the Referer.
    with page.expect_navigation():
        page.get_by_role("link", name=case.reference).click()
    page.goto("/admin/palaute-tietopyynnot/")
    page.get_by_label("Email address").fill("maija@example.com")
    page.get_by_role("button", name="Find").click()

    page.get_by_label("I confirm").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Erase personal data").click()
    expect(page.locator(".messages .success")).to_contain_text("erased from 1 case.")
    erased = Feedback.objects.get(pk=case.pk)
    assert (erased.contact_email, erased.contact_name) == ("", "")
    # The address went in request bodies only: no URL, history entry or Referer has it.
    assert [url for url in sent if "maija" in url.lower() or "nobody" in url.lower()] == []
