"""The inbox's CSV and XLSX download (Wagtail's ``SpreadsheetExportMixin``): what the
filters and search list, only the user's categories, formulas made inert."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from palaute_plugin.staff.viewsets import feedback_viewset

from .admin_fixtures import handler_of
from .factories import FeedbackFactory

pytestmark = pytest.mark.django_db

INDEX_URL = feedback_viewset.get_url_name("index")


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def records(response):
    rows = csv_rows(response)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_download_holds_what_the_inbox_lists_and_nothing_else(
        handler_client, handler, streets, housing):
    wanted = FeedbackFactory(category=streets, message="Katuvalo rikki", status="in_progress",
                             kind="question", contact_email="asukas@example.com",
                             assignee=handler)
    FeedbackFactory(category=streets, message="Katuvalo rikki", status="closed")  # filtered
    FeedbackFactory(category=streets, message="Roskis täynnä")  # not found by the search
    FeedbackFactory(category=housing, message="Katuvalo rikki")  # not their category
    response = handler_client.get(reverse(INDEX_URL), {
        "export": "csv", "q": "Katuvalo", "status": "in_progress"})
    [record] = records(response)
    assert record["Reference"] == wanted.reference
    assert record["Kind"] == "Question"
    assert record["Status"] == "In progress"
    assert record["Category"] == "Street lighting"
    assert record["Email"] == "asukas@example.com"
    assert record["Assignee"] == "Sanna Katu"
    assert record["Message"] == "Katuvalo rikki"
    assert 'attachment; filename="palaute.csv"' in response["Content-Disposition"]


def test_text_a_spreadsheet_would_run_is_made_inert(handler_client, streets):
    FeedbackFactory(category=streets, message="=HYPERLINK(\"http://evil.example\")",
                    contact_name="+cmd|' /C calc'!A0")
    [record] = records(handler_client.get(reverse(INDEX_URL), {"export": "csv"}))
    assert record["Message"].startswith("'=")
    assert record["Name"].startswith("'+")


def test_the_xlsx_download_in_the_staff_members_language(client, streets):
    from wagtail.users.models import UserProfile

    swedish = handler_of(streets, username="svensk")
    profile = UserProfile.get_for_user(swedish)
    profile.preferred_language = "sv"
    profile.save()
    FeedbackFactory(category=streets, kind="proposal")
    client.force_login(swedish)
    response = client.get(reverse(INDEX_URL), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["Typ"] == "Åtgärdsförslag"
    assert sheet.title == "Respons"  # the page's title, not Wagtail's "Sheet1"


def test_the_download_makes_as_many_queries_for_many_cases_as_for_few(handler_client, streets):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = handler_client.get(reverse(INDEX_URL), {"export": "csv"})
            rows = records(response)
        return len(captured), len(rows)

    FeedbackFactory(category=streets)
    few, count = queries()
    assert count == 1
    for _number in range(10):
        FeedbackFactory(category=streets)
    many, count = queries()
    assert count == 11
    assert many == few


def test_the_download_stops_at_the_listings_cap(handler_client, streets, monkeypatch):
    monkeypatch.setattr(feedback_viewset.index_view_class, "max_listed_cases", 2)
    for _number in range(3):
        FeedbackFactory(category=streets)
    assert len(records(handler_client.get(reverse(INDEX_URL), {"export": "csv"}))) == 2


def test_the_inbox_offers_the_downloads(handler_client, streets):
    content = handler_client.get(reverse(INDEX_URL)).content.decode()
    assert "Download CSV" in content
    assert "export=csv" in content
