"""Wagtail's workflow steps of an answer, written into the case's timeline, and the
approvers' email when an answer is submitted to them.

``connect()`` is called once from the app config's ``ready()``.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier
from wagtail.log_actions import log
from wagtail.models import TaskState
from wagtail.signals import task_submitted, workflow_rejected

from . import log_actions
from .models import AnswerApprovalTask, AnswerDraft, writer_ids


def on_workflow_rejected(sender, instance, user=None, **kwargs):
    answer = instance.content_object
    if not isinstance(answer, AnswerDraft):
        return
    task_state = instance.current_task_state
    comment = task_state.get_comment() if task_state else ""
    log(instance=answer.feedback, action=log_actions.CHANGES_REQUESTED, user=user,
        data={"answer_id": answer.pk, "text": comment})


def on_task_submitted(sender, instance, user=None, **kwargs):
    """A task started again after changes were requested: the answer was resubmitted."""
    workflow_state = instance.workflow_state
    answer = workflow_state.content_object
    if not isinstance(answer, AnswerDraft):
        return
    if not workflow_state.task_states.filter(status=TaskState.STATUS_REJECTED).exists():
        return  # the first submission, logged by ``approval.submit``
    text = instance.revision.as_object().text
    log(instance=answer.feedback, action=log_actions.RESUBMITTED, user=user,
        data={"answer_id": answer.pk, "text": text})


class AnswerSubmittedEmailNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    """Wagtail's "submitted for moderation" email, to the answer category's approvers."""

    def can_handle(self, instance, **kwargs):
        return isinstance(instance, TaskState) and isinstance(
            instance.task.specific, AnswerApprovalTask)

    def get_recipient_users(self, task_state, **kwargs):
        answer = task_state.workflow_state.content_object
        group_id = answer.feedback.category.answer_approvers_id
        recipients = get_user_model().objects.filter(
            Q(groups=group_id) | Q(is_superuser=True)).distinct()
        triggering_user = kwargs.get("user")
        if triggering_user is not None:
            recipients = recipients.exclude(pk=triggering_user.pk)
        # Nobody is asked to approve what they wrote or submitted (four-eyes).
        return recipients.exclude(pk__in=writer_ids(answer))


answer_submitted_email_notifier = AnswerSubmittedEmailNotifier()


def connect():
    workflow_rejected.connect(on_workflow_rejected, dispatch_uid="palaute-answer-rejected")
    task_submitted.connect(on_task_submitted, dispatch_uid="palaute-answer-resubmitted")
    task_submitted.connect(answer_submitted_email_notifier, sender=TaskState,
                           dispatch_uid="palaute-answer-submitted-email")
