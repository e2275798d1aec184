"""Answers approved before they are sent: the actions, Wagtail's workflow, the timeline."""

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import translation
from wagtail.models import ModelLogEntry, TaskState, WorkflowContentType

from palaute_plugin import actions
from palaute_plugin.actions import ActionError, AnswerPending, NotAllowed
from palaute_plugin.answers import log_actions
from palaute_plugin.answers.models import AnswerDraft
from palaute_plugin.models import Feedback
from palaute_plugin.staff.forms import ReplyForm

from .admin_fixtures import handler_of
from .answer_fixtures import decide, submitted
from .factories import FeedbackFactory, UserFactory

pytestmark = pytest.mark.django_db

RESIDENT = "invanare@example.com"


@pytest.fixture(autouse=True)
def _english():
    """Errors are asserted by their English msgids; the resident's email stays Swedish."""
    with translation.override("en"):
        yield


def to_resident():
    return [message for message in mail.outbox if message.to == [RESIDENT]]


def case_log_actions(case):
    return list(ModelLogEntry.objects.for_instance(case).order_by("pk")
                .values_list("action", flat=True))


def test_category_without_approvers_answers_at_once(streets, handler):
    case = FeedbackFactory(category=streets, contact_email=RESIDENT)
    with TestCase.captureOnCommitCallbacks(execute=True):
        updated = actions.reply(case, user=handler, message="Korjataan.")
    assert getattr(updated, "submitted_answer", None) is None
    assert not AnswerDraft.objects.exists()
    assert len(to_resident()) == 1


def test_reply_waits_for_approval(sensitive_case, handler, approver):
    answer = submitted(sensitive_case, handler)
    assert answer.text == "Vi hjälper dig gärna." and answer.language == "sv"
    assert answer.action == "reply" and answer.author == handler and not answer.live
    state = answer.current_workflow_state
    assert state.status == state.STATUS_IN_PROGRESS
    assert to_resident() == []
    # Wagtail's "submitted for moderation" email goes to the category's approvers.
    assert [m.to for m in mail.outbox] == [[approver.email]]
    sensitive_case.refresh_from_db()
    assert sensitive_case.first_response_at is None
    assert case_log_actions(sensitive_case)[-1] == log_actions.SUBMITTED


def test_no_second_answer_or_decision_meanwhile(sensitive_case, handler):
    submitted(sensitive_case, handler)
    for name, kwargs in [("reply", {"message": "Igen."}), ("resolve", {"message": "Klart."}),
                         ("close", {"reason": "Stängt."}), ("work_list", {}),
                         ("reject", {})]:
        with pytest.raises(AnswerPending, match="awaiting approval"):
            actions.ACTIONS[name](sensitive_case, user=handler, **kwargs)
    assert AnswerDraft.objects.count() == 1
    names = actions.available_actions(sensitive_case, handler)
    assert "note" in names and "assign" in names
    assert not set(names) & set(actions.WAIT_FOR_PENDING_ANSWER)
    actions.add_note(sensitive_case, user=handler, text="Internal.")  # still allowed
    form = ReplyForm({"message": "Igen."}, feedback=sensitive_case, user=handler)
    assert not form.is_valid()
    assert "awaiting approval" in str(form.non_field_errors())


def test_approval_sends_exactly_one_email_in_the_residents_language(sensitive_case, handler,
                                                                     approver):
    answer = decide(submitted(sensitive_case, handler), approver)
    assert answer.live and answer.sent_at is not None
    emails = to_resident()
    assert len(emails) == 1
    assert "Vi hjälper dig gärna." in emails[0].body
    assert emails[0].subject == f"Svar på din respons ({sensitive_case.reference})"
    sensitive_case.refresh_from_db()
    assert sensitive_case.first_response_at is not None
    steps = case_log_actions(sensitive_case)
    assert steps[-2:] == [log_actions.APPROVED, "palaute_plugin.replied"]
    approved = ModelLogEntry.objects.for_instance(sensitive_case).get(
        action=log_actions.APPROVED)
    assert approved.user == approver
    # Publishing again (a revert, a direct publish) never sends it twice.
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer.get_latest_revision().publish(user=approver)
    assert len(to_resident()) == 1
    # The case can be answered again now.
    assert "reply" in actions.available_actions(sensitive_case, handler)


@pytest.mark.parametrize(("action", "status"), [("resolve", Feedback.Status.RESOLVED),
                                                ("close", Feedback.Status.CLOSED)])
def test_resolve_and_close_change_the_status_only_on_approval(sensitive_case, handler,
                                                              approver, action, status):
    answer = submitted(sensitive_case, handler, action=action, text="Ärendet är klart.")
    sensitive_case.refresh_from_db()
    assert sensitive_case.status == Feedback.Status.NEW
    decide(answer, approver)
    sensitive_case.refresh_from_db()
    assert sensitive_case.status == status
    assert [m.body.count("Ärendet är klart.") for m in to_resident()] == [1]


def test_request_changes_returns_it_with_the_comment_then_resubmit(sensitive_case, handler,
                                                                   approver):
    answer = submitted(sensitive_case, handler)
    mail.outbox.clear()
    decide(answer, approver, "reject", comment="Lägg till telefonnumret.")
    assert answer.workflow_states.get().status == "needs_changes"
    assert not answer.live and answer.sent_at is None
    entry = ModelLogEntry.objects.for_instance(sensitive_case).get(
        action=log_actions.CHANGES_REQUESTED)
    assert entry.data["text"] == "Lägg till telefonnumret."
    # Wagtail's own notification tells the handler who submitted it; the resident nothing.
    assert [m.to for m in mail.outbox] == [[handler.email]]
    assert to_resident() == []
    with pytest.raises(AnswerPending):  # still pending: no other answer meanwhile
        actions.reply(sensitive_case, user=handler, message="Något annat.")

    answer.text = "Vi hjälper dig gärna. Ring 016 123."
    answer.save_revision(user=handler)
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer.current_workflow_state.resume(user=handler)
    resubmitted = ModelLogEntry.objects.for_instance(sensitive_case).get(
        action=log_actions.RESUBMITTED)
    assert resubmitted.data["text"] == "Vi hjälper dig gärna. Ring 016 123."
    decide(answer, approver)
    assert [m.body.count("Ring 016 123.") for m in to_resident()] == [1]


def test_only_the_categorys_approvers_may_decide(sensitive_case, handler, approver):
    answer = submitted(sensitive_case, handler)
    other_approver = UserFactory(username="other_approver")
    task = answer.current_workflow_state.current_task_state.task.specific
    assert [name for name, *_ in task.get_actions(answer, approver)] == [
        "reject", "approve", "approve"]
    assert task.get_actions(answer, handler) == []
    assert task.get_actions(answer, other_approver) == []
    assert task.locked_for_user(answer, handler)
    assert not task.locked_for_user(answer, approver)
    reviewable = TaskState.objects.reviewable_by(approver)
    assert list(reviewable.values_list("pk", flat=True)) == [
        answer.current_workflow_state.current_task_state.pk]
    assert not TaskState.objects.reviewable_by(handler).exists()
    assert not TaskState.objects.reviewable_by(other_approver).exists()


def test_other_category_handler_cannot_answer(sensitive_case, housing_handler):
    with pytest.raises(NotAllowed):
        actions.reply(sensitive_case, user=housing_handler, message="Hej.")
    assert not AnswerDraft.objects.exists()


def test_without_a_workflow_the_answer_is_refused_and_nothing_saved(sensitive_case, handler):
    WorkflowContentType.objects.all().delete()
    with pytest.raises(ActionError, match="no approval workflow"):
        actions.reply(sensitive_case, user=handler, message="Hej.")
    assert not AnswerDraft.objects.exists()
    assert log_actions.SUBMITTED not in case_log_actions(sensitive_case)


def test_answer_written_by_a_handler_who_left_is_still_sent(sensitive_case, handler, approver):
    answer = submitted(sensitive_case, handler)
    handler.groups.clear()
    decide(answer, approver)
    assert len(to_resident()) == 1


def test_an_answer_to_a_resident_without_email_is_kept_in_the_history(approval_category,
                                                                     handler, approver):
    case = FeedbackFactory(category=approval_category, contact_email="")
    mail.outbox.clear()
    answer = submitted(case, handler)
    mail.outbox.clear()  # the approver's notice
    decide(answer, approver)
    # Only Wagtail's "approved" notice to the handler who wrote it.
    assert [m.to for m in mail.outbox] == [[handler.email]]
    assert "palaute_plugin.replied" in case_log_actions(case)


def test_handler_of_another_approval_category_sees_nothing(sensitive_case, handler, housing,
                                                           answer_approvers):
    from palaute_plugin.answers.approval import answers_for_user

    housing.answer_approvers = answer_approvers
    housing.save()
    other = handler_of(housing, username="koti")
    answer = submitted(sensitive_case, handler)
    assert list(answers_for_user(handler)) == [answer]
    assert list(answers_for_user(other)) == []


def test_the_resident_sees_nothing_of_the_answer_until_it_is_approved(sensitive_case, handler,
                                                                      approver):
    from palaute_plugin.log_actions import public_history

    answer = submitted(sensitive_case, handler)
    decide(answer, approver, "reject", comment="Internt.")
    history = list(public_history(sensitive_case))
    assert [entry.action for entry in history] == []  # the factory's case logged no receipt
    answer.save_revision(user=handler)
    answer.current_workflow_state.resume(user=handler)
    decide(answer, approver)
    assert [(entry.action, entry.data["public_message"])
            for entry in public_history(sensitive_case)] == [
        ("palaute_plugin.replied", "Vi hjälper dig gärna.")]


def test_deleting_the_case_deletes_its_answers_revisions_and_workflow_states(sensitive_case,
                                                                           handler):
    from wagtail.models import Revision, WorkflowState

    answer = submitted(sensitive_case, handler)
    assert Revision.objects.for_instance(answer).exists()
    sensitive_case.delete()
    assert not AnswerDraft.objects.exists()
    assert not Revision.objects.filter(content_type__model="answerdraft").exists()
    assert not WorkflowState.objects.filter(content_type__model="answerdraft").exists()


def test_workflow_emails_to_staff_without_a_language_of_their_own_are_in_the_sites(
        sensitive_case, handler, approver, answer_approvers):
    """Wagtail's fallback was the sender's language: an English handler's submission
    reached a Finnish approver (who never chose a language) in English. The approver who
    chose English still gets English."""
    finnish = UserFactory(username="hyvaksyja2", email="hyvaksyja2@tornio.example")
    finnish.groups.add(answer_approvers)
    assert translation.get_language() == "en"  # the handler presses the button in English
    submitted(sensitive_case, handler)
    [to_finnish] = [message for message in mail.outbox if message.to == [finnish.email]]
    [to_english] = [message for message in mail.outbox if message.to == [approver.email]]
    assert "has been submitted" in to_english.subject
    assert "has been submitted" not in to_finnish.subject
    assert "lähetetty" in to_finnish.subject, to_finnish.subject
