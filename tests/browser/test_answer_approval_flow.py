"""Answers approved before they are sent, in a real browser: a handler replies in a
category whose answers need approval, the approver requests changes, the handler edits
and resubmits, the approver approves, and the resident gets exactly one email with the
approved text."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from playwright.sync_api import expect

from palaute_plugin.answers.models import AnswerDraft

from .test_publication_flow import footer_action, logged_in
from .test_resident_flow import resident_mails, wait_for
from .test_staff_flow import FADED_IN

pytestmark = pytest.mark.django_db(transaction=True)

RESIDENT = "invanare@example.com"  # the sensitive case's resident, who writes Swedish
FIRST_TEXT = "Vi har tagit emot ditt meddelande."
COMMENT = "Berätta också vem invånaren kan ringa."
APPROVED_TEXT = "Vi har tagit emot ditt meddelande. Ring boenderådgivningen på 016 432 111."
EDIT_URL = "/admin/snippets/palaute_plugin/answerdraft/edit/{pk}/"


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """Transactional tests flush the database, and content types come back with new ids."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


def test_reply_is_approved_after_changes_and_sent_once(new_context, form_page, handler,
                                                       approver, sensitive_case):
    case_url = f"/admin/palaute/{sensitive_case.pk}/"

    # --- the handler replies: it goes for approval, nothing is emailed ---------------------
    handler_page = logged_in(new_context, handler)
    handler_page.goto(case_url)
    handler_page.locator("#w-slim-header-buttons").get_by_role(
        "link", name="Reply to the resident").click()
    handler_page.wait_for_url(re.compile(rf"{case_url}action/reply/$"))
    handler_page.fill("#id_reply_message", FIRST_TEXT)
    with handler_page.expect_navigation():
        handler_page.locator("#palaute-action-reply button[type=submit]:not([name=preview])"
                             ).click()
    handler_page.wait_for_url(re.compile(rf"{case_url}$"))
    expect(handler_page.locator(".messages")).to_contain_text("was sent for approval")
    pending = handler_page.locator("[data-palaute-pending-answer]")
    expect(pending).to_contain_text("Answer awaiting approval")
    expect(pending).to_contain_text(FIRST_TEXT)
    expect(handler_page.locator("#w-slim-header-buttons").get_by_role(
        "link", name="Reply to the resident")).to_have_count(0)
    answer = AnswerDraft.objects.get(feedback=sensitive_case)
    assert resident_mails(RESIDENT) == []

    # --- the approver finds it awaiting review and requests changes --------------------------
    approver_page = logged_in(new_context, approver)
    with translation.override("en"):  # the approver's admin speaks English
        expect(approver_page.locator("main")).to_contain_text(str(answer))
    approver_page.goto(EDIT_URL.format(pk=answer.pk))
    expect(approver_page.locator("main")).to_contain_text(sensitive_case.message)
    footer_action(approver_page, 'button[data-workflow-action-name="reject"]')
    approver_page.locator(".modal textarea[name=comment]").fill(COMMENT)
    with approver_page.expect_navigation():
        approver_page.locator(".modal button[type=submit]").click()
    answer.refresh_from_db()
    assert answer.workflow_states.get().status == "needs_changes"
    assert resident_mails(RESIDENT) == []

    # --- the handler sees the comment, edits and resubmits -----------------------------------
    handler_page.goto(case_url)
    expect(pending).to_contain_text(COMMENT)
    with handler_page.expect_navigation():
        pending.get_by_role("link", name="Open the answer").click()
    handler_page.locator("#id_text").fill(APPROVED_TEXT)
    with handler_page.expect_navigation():
        footer_action(handler_page, 'button[name="action-submit"]')
    answer.refresh_from_db()
    assert answer.current_workflow_state.status == "in_progress"
    assert resident_mails(RESIDENT) == []

    # --- the approver approves: exactly one email, with the approved text ----------------------
    approver_page.goto(EDIT_URL.format(pk=answer.pk))
    expect(approver_page.locator("#id_text")).to_have_value(APPROVED_TEXT)
    footer_action(approver_page, 'button[data-workflow-action-name="approve"]'
                                 ':not([data-workflow-action-modal-url])')
    approver_page.wait_for_function(FADED_IN)
    emails = wait_for(lambda: resident_mails(RESIDENT))
    assert len(emails) == 1
    assert APPROVED_TEXT in emails[0].body
    assert sensitive_case.reference in emails[0].subject
    answer.refresh_from_db()
    assert answer.live and answer.sent_at is not None

    # --- the case shows it sent, and every step is in its timeline ------------------------------
    handler_page.goto(case_url)
    expect(handler_page.locator("[data-palaute-pending-answer]")).to_have_count(0)
    expect(handler_page.locator("#w-slim-header-buttons").get_by_role(
        "link", name="Reply to the resident")).to_be_visible()
    handler_page.locator('[data-side-panel-toggle="history"]').click()
    timeline = handler_page.locator('[data-side-panel="history"]')
    expect(timeline).to_be_visible()
    for step in ("An answer to the resident was submitted for approval",
                 "The approver requested changes to the answer", COMMENT,
                 "The edited answer was resubmitted for approval",
                 "The answer was approved and sent to the resident",
                 "Replied to the resident"):
        expect(timeline).to_contain_text(step)
    assert len(resident_mails(RESIDENT)) == 1
