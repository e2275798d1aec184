"""A handler on a desktop takes a resident's call: finds their cases by the email address
they give, sorts the inbox by time left, and downloads the list as a spreadsheet file
(acceptance test, 2026-12-03: the search found nothing by address, finished cases came
first by due date, and the inbox had no download)."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from palaute_plugin.models import Feedback
from tests.factories import FeedbackFactory

from .test_staff_flow import DESKTOP, header_buttons, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def listed_references(page):
    return page.locator("table.listing tbody tr td:nth-child(2)").all_inner_texts()


def test_handler_finds_a_callers_cases_sorts_by_time_left_and_downloads_them(
        new_context, streets, housing, handler):
    now = timezone.now()
    answered = FeedbackFactory(category=streets, status="in_progress", message="Vastattu jo",
                               due_at=now - timedelta(days=30), first_response_at=now)
    late = FeedbackFactory(category=streets, message="Katuvalo pimeänä",
                           contact_email="Soittaja@Example.com", due_at=now - timedelta(days=2))
    soon = FeedbackFactory(category=streets, message="Toinen katuvalo",
                           contact_email="soittaja@example.com", due_at=now + timedelta(days=3))
    FeedbackFactory(category=housing, contact_email="soittaja@example.com")  # not hers
    page = new_context(**DESKTOP).new_page()
    log_in(page, handler)
    page.goto("/admin/palaute/")

    # The caller gives their address: their two cases of her categories.
    search = page.get_by_role("textbox", name=re.compile("Search", re.I)).first
    search.fill("soittaja@example.com")
    search.press("Enter")
    expect(page.locator("table.listing tbody tr")).to_have_count(2)
    assert sorted(ref.strip() for ref in listed_references(page)) == sorted(
        [late.reference, soon.reference])

    # Sorted by the time left, without the search: the late one, then the one due soon,
    # and the answered case (its clock stopped) after them.
    page.goto("/admin/palaute/")
    page.get_by_role("link", name=re.compile(r"^Due")).click()
    page.wait_for_url(re.compile(r"ordering=due_at"))
    expect(page.locator("table.listing tbody tr")).to_have_count(3)
    assert [ref.strip() for ref in listed_references(page)] == [
        late.reference, soon.reference, answered.reference]
    expect(page.locator("table.listing tbody tr").first).to_contain_text("days late")

    # The download from the header's menu: the same cases, in the same order.
    header_buttons(page).get_by_role("button", name="Actions", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "palaute.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Reference"] for row in rows] == [
        late.reference, soon.reference, answered.reference]
    assert rows[0]["Email"] == "Soittaja@Example.com"
    assert Feedback.objects.count() == 4
