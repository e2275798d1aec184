"""The resident's private status page in Chromium: adding information to an open case."""

import re

from playwright.sync_api import expect

from palaute_plugin.models import Feedback
from tests.factories import FeedbackFactory

FOLLOW_UP = "Valo vilkkuu nyt myös naapuritolpassa, numero 14."


def status_path(feedback):
    return f"/palaute/status/{feedback.tracking_token}/"


def test_resident_adds_information_on_the_status_page(phone, form_page, categories,
                                                      responsible):
    feedback = FeedbackFactory(category=categories["lighting"], page=form_page,
                               assignee=responsible)
    page = phone
    page.goto(status_path(feedback))

    page.fill("#id_message", FOLLOW_UP)
    page.click("form.palaute-form button[type=submit]")

    page.wait_for_url(re.compile(r"\?added=1$"))
    expect(page.locator(".notice[role=status]")).to_be_visible()
    expect(page.locator("ol.timeline")).to_contain_text(FOLLOW_UP)
    told = feedback.notifications.filter(template="follow_up").values_list("recipient", flat=True)
    assert list(told) == [responsible.email]
    assert Feedback.objects.get(pk=feedback.pk).version == feedback.version + 1


def test_an_expired_csrf_token_keeps_the_residents_text(new_context, form_page, categories):
    feedback = FeedbackFactory(category=categories["lighting"], page=form_page)
    context = new_context()
    page = context.new_page()
    page.goto(status_path(feedback))
    context.clear_cookies()  # as when the session expired or cookies were blocked

    page.fill("#id_message", FOLLOW_UP)
    page.click("form.palaute-form button[type=submit]")

    expect(page.locator("h1")).to_have_text("Lomaketta ei voitu lähettää")
    expect(page.locator("textarea#kept-text")).to_have_value(FOLLOW_UP)
    expect(page.get_by_role("link", name="Takaisin lomakkeeseen")).to_have_attribute(
        "href", status_path(feedback))
    assert not feedback.notifications.filter(template="follow_up").exists()
