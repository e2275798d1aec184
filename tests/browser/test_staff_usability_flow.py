"""A responsible person on a desktop with a case that came in for them (issue 8, item 16):
"Start handling" rather than "Take", the outcome of each action is where the keyboard
goes on from, and the work-list date is chosen with Wagtail's date picker."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from palaute_plugin import actions
from palaute_plugin.models import Feedback

from .test_staff_flow import (
    DESKTOP,
    axe_case_screen,
    case_status,
    choose_more_action,
    fresh,
    header_buttons,
    log_in,
    success_message,
)

pytestmark = pytest.mark.django_db(transaction=True)

#: The text of the element the keyboard is on (empty when it is the page's body).
FOCUSED_TEXT = "() => document.activeElement === document.body ? '' : " \
               "document.activeElement.textContent.trim()"


@pytest.fixture
def own_case(form_page, streets, handler):
    """A new case of street lighting, whose responsible person is the handler."""
    streets.responsible_person = handler
    streets.save()
    case = actions.submit_feedback(actions.Submission(
        category=streets, message="Katuvalo vilkkuu Länsiranta 4:n kohdalla.",
        contact_email="asukas@example.com"), page=form_page)
    assert case.status == Feedback.Status.NEW and case.assignee == handler
    return case


def test_responsible_person_starts_handling_and_lands_on_the_outcome(
        new_context, own_case, handler):
    page = new_context(**DESKTOP).new_page()
    log_in(page, handler)
    page.goto(f"/admin/palaute/{own_case.pk}/")
    expect(header_buttons(page).get_by_role("button", name="Take this case")).to_have_count(0)
    start = header_buttons(page).get_by_role("button", name="Start handling")
    # Scrolled down to the contact details, as one is before deciding.
    page.locator("#palaute-contact-content").scroll_into_view_if_needed()
    start.click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{own_case.pk}/$"))
    outcome = success_message(page)
    expect(outcome).to_contain_text(f"You started handling feedback {own_case.reference}.")
    expect(outcome).to_be_focused()
    expect(outcome).to_be_in_viewport()
    assert fresh(own_case).status == Feedback.Status.IN_PROGRESS
    expect(case_status(page)).to_have_text("in progress")
    expect(start).to_have_count(0)
    axe_case_screen(page)

    # --- the work list: Wagtail's date picker, and again the outcome has the focus ------
    choose_more_action(page, "Move to the work list")
    page.wait_for_url(re.compile(rf"/admin/palaute/{own_case.pk}/action/work_list/$"))
    date_input = page.locator("#id_work_list_expected_date")
    expect(date_input).to_have_attribute("type", "text")
    date_input.click()
    expect(page.locator(".xdsoft_datetimepicker").first).to_be_visible()
    expected = timezone.localdate() + timedelta(days=14)
    date_input.fill(expected.isoformat())
    date_input.press("Tab")  # on to the message; the picker closes
    expect(page.locator(".xdsoft_datetimepicker").first).to_be_hidden()
    page.locator("#palaute-action-work_list button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{own_case.pk}/$"))
    expect(success_message(page)).to_be_focused()
    assert page.evaluate(FOCUSED_TEXT).startswith(
        f"Feedback {own_case.reference} was moved to the work list.")
    assert fresh(own_case).expected_date == expected


def test_a_colleague_takes_over_from_more_actions(new_context, own_case, colleague):
    page = new_context(**DESKTOP).new_page()
    log_in(page, colleague)
    page.goto(f"/admin/palaute/{own_case.pk}/")
    expect(header_buttons(page).get_by_role("button", name="Take this case")).to_have_count(0)
    choose_more_action(page, "Take over")
    page.wait_for_url(re.compile(rf"/admin/palaute/{own_case.pk}/action/take/$"))
    page.get_by_role("button", name="Take over this case").click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{own_case.pk}/$"))
    expect(success_message(page)).to_contain_text(
        f"You took over feedback {own_case.reference}.")
    expect(success_message(page)).to_be_focused()
    assert fresh(own_case).assignee == colleague
