"""Four-eyes on answers awaiting approval: whoever wrote or submitted an answer never
approves it, however they ask (the workflow's buttons, its action URL, the edit form's
approve or publish, the model), and "Awaiting your review" does not list it for them.
When nobody else in the approver group could approve it, the staff screens say so."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from wagtail.models import TaskState

from palaute_plugin.answers.models import AnswerDraft, writers_of

from .admin_fixtures import detail_url
from .answer_fixtures import decide, submitted
from .factories import UserFactory

pytestmark = pytest.mark.django_db

SNIPPET = "wagtailsnippets_palaute_plugin_answerdraft"
RESIDENT = "invanare@example.com"
NEEDS_APPROVER = "Another approver is needed"
OWN_ANSWER = "You wrote or submitted this answer, so you cannot approve it"


def url(name, *args):
    return reverse(f"{SNIPPET}:{name}", args=args)


def workflow_action_url(answer, name):
    task_state = answer.current_workflow_state.current_task_state
    return url("workflow_action", answer.pk, name, task_state.pk)


def to_resident():
    return [message for message in mail.outbox if message.to == [RESIDENT]]


@pytest.fixture
def self_approver(handler, answer_approvers):
    """The handler who is also in the category's approver group."""
    handler.groups.add(answer_approvers)
    return handler


def action_names(answer, user):
    task = answer.current_workflow_state.current_task_state.task.specific
    return [name for name, *_ in task.get_actions(answer, user)]


def assert_not_sent(answer):
    answer.refresh_from_db()
    assert not answer.live and answer.sent_at is None
    assert to_resident() == []
    assert answer.current_workflow_state.status == "in_progress"


def test_the_author_is_offered_only_request_changes(self_approver, approver, sensitive_case):
    answer = submitted(sensitive_case, self_approver)
    assert action_names(answer, self_approver) == ["reject"]
    assert action_names(answer, approver) == ["reject", "approve", "approve"]
    task = answer.current_workflow_state.current_task_state.task.specific
    assert not task.locked_for_user(answer, self_approver)  # may still edit or withdraw
    assert answer.current_workflow_state.user_can_cancel(self_approver)


def test_awaiting_your_review_leaves_out_ones_own_answer(client, self_approver, approver,
                                                        sensitive_case):
    answer = submitted(sensitive_case, self_approver)
    state_pk = answer.current_workflow_state.current_task_state.pk
    assert not TaskState.objects.reviewable_by(self_approver).exists()
    assert list(TaskState.objects.reviewable_by(approver).values_list("pk", flat=True)) == [
        state_pk]
    client.force_login(self_approver)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="awaiting-review-heading"' not in dashboard
    assert str(answer) in dashboard  # under "Your pages and snippets in a workflow"
    client.force_login(approver)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="awaiting-review-heading"' in dashboard and str(answer) in dashboard


def test_the_author_cannot_approve_by_any_route(client, self_approver, approver,
                                                sensitive_case):
    answer = submitted(sensitive_case, self_approver)
    client.force_login(self_approver)
    content = client.get(url("edit", answer.pk)).content.decode()
    assert 'data-workflow-action-name="approve"' not in content
    assert 'data-workflow-action-name="reject"' in content
    assert OWN_ANSWER in content
    # The workflow's action URL (what the dashboard's buttons post to).
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(workflow_action_url(answer, "approve"))
    assert response.status_code == 302  # Wagtail's "permission denied": back to the dashboard
    assert response["Location"] == reverse("wagtailadmin_home")
    assert_not_sent(answer)
    # The edit form's workflow action and publish, posted by hand.
    for action in ({"action-workflow-action": "1", "workflow-action-name": "approve"},
                   {"action-publish": "1"}):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(url("edit", answer.pk), {"text": answer.text, **action},
                                   follow=True)
        assert response.status_code == 200, action
        assert_not_sent(answer)
    assert OWN_ANSWER in response.content.decode()
    # The model itself.
    task_state = answer.current_workflow_state.current_task_state
    with pytest.raises(PermissionDenied):
        task_state.task.specific.on_action(task_state, self_approver, "approve")
    with pytest.raises(PermissionDenied):
        answer.get_latest_revision().publish(user=self_approver)
    assert_not_sent(answer)
    # Another approver approves it: sent once.
    decide(answer, approver)
    assert answer.live and answer.sent_at and len(to_resident()) == 1


def test_the_author_may_request_changes_to_edit_it(client, self_approver, sensitive_case):
    answer = submitted(sensitive_case, self_approver)
    client.force_login(self_approver)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(workflow_action_url(answer, "reject"), {"comment": "Korjaan."})
    assert response.status_code == 302
    assert answer.workflow_states.get().status == "needs_changes"


def test_an_approver_who_changed_the_text_is_a_writer_too(client, handler, approver,
                                                         answer_approvers, sensitive_case):
    answer = submitted(sensitive_case, handler)
    second = UserFactory(username="toinen_hyvaksyja")
    second.groups.add(answer_approvers)
    client.force_login(approver)
    # Opening and saving without changing the text writes nothing.
    client.post(url("edit", answer.pk), {"text": answer.text})
    assert writers_of([answer.pk])[answer.pk] == {handler.pk}
    # Changing the text and approving in the same post: the text is kept, approval refused.
    with TestCase.captureOnCommitCallbacks(execute=True), translation.override("en"):
        response = client.post(url("edit", answer.pk), {
            "text": "Vi hjälper dig gärna. Ring 016 123.", "action-workflow-action": "1",
            "workflow-action-name": "approve"}, follow=True)
    assert OWN_ANSWER in response.content.decode()
    assert_not_sent(answer)
    assert answer.get_latest_revision_as_object().text.endswith("Ring 016 123.")
    assert writers_of([answer.pk])[answer.pk] == {handler.pk, approver.pk}
    assert action_names(AnswerDraft.objects.get(pk=answer.pk), approver) == ["reject"]
    decide(answer, second)
    assert [m.body.count("Ring 016 123.") for m in to_resident()] == [1]


def test_a_colleague_who_resubmitted_it_is_a_writer(handler, colleague, approver,
                                                   answer_approvers, sensitive_case):
    colleague.groups.add(answer_approvers)
    answer = submitted(sensitive_case, handler)
    decide(answer, approver, "reject", comment="Lisää puhelinnumero.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer.current_workflow_state.resume(user=colleague)
    answer = AnswerDraft.objects.get(pk=answer.pk)
    assert action_names(answer, colleague) == ["reject"]
    assert action_names(answer, approver) == ["reject", "approve", "approve"]


def test_writers_get_no_email_asking_them_to_approve(handler, colleague, approver,
                                                    answer_approvers, sensitive_case):
    handler.groups.add(answer_approvers)
    colleague.groups.add(answer_approvers)
    answer = submitted(sensitive_case, handler)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([approver.email, colleague.email])
    decide(answer, approver, "reject", comment="Lisää puhelinnumero.")
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        AnswerDraft.objects.get(pk=answer.pk).current_workflow_state.resume(user=colleague)
    # The author and the colleague who resubmitted it are both its writers now.
    assert [m.to for m in mail.outbox] == [[approver.email]]


def test_the_screens_say_when_another_approver_is_needed(client, self_approver,
                                                        answer_approvers, sensitive_case):
    answer = submitted(sensitive_case, self_approver)
    client.force_login(self_approver)
    case_screen = client.get(detail_url(sensitive_case)).content.decode()
    assert NEEDS_APPROVER in case_screen
    assert f"“{answer_approvers.name}”" in case_screen
    assert NEEDS_APPROVER in client.get(url("edit", answer.pk)).content.decode()
    # With a second member in the group, nothing is said.
    UserFactory(username="toinen").groups.add(answer_approvers)
    assert NEEDS_APPROVER not in client.get(detail_url(sensitive_case)).content.decode()
    assert NEEDS_APPROVER not in client.get(url("edit", answer.pk)).content.decode()


def test_the_notice_is_translated(client, self_approver, sensitive_case):
    submitted(sensitive_case, self_approver)
    client.force_login(self_approver)
    for language, words in (("fi", "Tarvitaan toinen hyväksyjä"),
                            ("sv", "Det behövs en annan godkännare")):
        self_approver.wagtail_userprofile.preferred_language = language
        self_approver.wagtail_userprofile.save()
        assert words in client.get(detail_url(sensitive_case)).content.decode(), language


def test_writers_of_many_answers_take_a_fixed_number_of_queries(
        django_assert_num_queries, handler, streets, approval_category):
    from .factories import FeedbackFactory

    answers = [submitted(FeedbackFactory(category=approval_category), handler)
               for _ in range(3)]
    with django_assert_num_queries(4):
        writers = writers_of([answer.pk for answer in answers])
    assert writers == {answer.pk: {handler.pk} for answer in answers}


def test_approving_or_requesting_changes_from_the_edit_screen_says_what_happened(
        client, handler, approver, answer_approvers, sensitive_case):
    """Wagtail said only "'…' updated."; the approver reads that the answer went to the
    resident, or that its writer sees the comment."""
    answer = submitted(sensitive_case, handler)
    client.force_login(approver)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url("edit", answer.pk), {
            "text": answer.text, "action-workflow-action": "1",
            "workflow-action-name": "reject",
            "workflow-action-extra-data": '{"comment": "Lisää puhelinnumero."}'}, follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert said[0].startswith(f"Changes were requested to the answer to "
                              f"{sensitive_case.reference}: its writer sees your comment.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer.current_workflow_state.resume(user=handler)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url("edit", answer.pk), {
            "text": answer.text, "action-workflow-action": "1",
            "workflow-action-name": "approve"}, follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert said[0].startswith(f"The answer to {sensitive_case.reference} was approved and "
                              f"sent to the resident.")
    assert len(to_resident()) == 1
