"""Wagtail's workflow steps of an answer, written into the case's timeline, and the
approvers' email when an answer is submitted to them.

Wagtail writes each workflow email in its recipient's admin language, but a recipient
who never chose one gets the language of whoever pressed the button (an English
handler's submission reached Finnish approvers in English). Here every workflow email
(of answers and of pages alike) falls back to the site's language instead, as the app's
own staff emails do (``notifications.staff_language``).

``connect()`` is called once from the app config's ``ready()``.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import translation
from wagtail.admin.mail import (
    GroupApprovalTaskStateSubmissionEmailNotifier,
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
    WorkflowStateSubmissionEmailNotifier,
)
from wagtail.log_actions import log
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

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


class InSiteLanguageUnlessChosen:
    """A Wagtail notifier whose recipients without an admin language of their own get
    the site's (Wagtail's fallback is the sender's active language)."""

    def send_notifications(self, template_set, context, recipients, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return super().send_notifications(template_set, context, recipients, **kwargs)


class TaskSubmittedEmailNotifier(InSiteLanguageUnlessChosen,
                                 GroupApprovalTaskStateSubmissionEmailNotifier):
    pass


class WorkflowSubmittedEmailNotifier(InSiteLanguageUnlessChosen,
                                     WorkflowStateSubmissionEmailNotifier):
    pass


class WorkflowApprovedEmailNotifier(InSiteLanguageUnlessChosen,
                                    WorkflowStateApprovalEmailNotifier):
    pass


class WorkflowRejectedEmailNotifier(InSiteLanguageUnlessChosen,
                                    WorkflowStateRejectionEmailNotifier):
    pass


#: Wagtail's own workflow emails, in place of its notifiers (same signals and ids).
WAGTAIL_NOTIFIERS = (
    (task_submitted, TaskState, "group_approval_task_submitted_email_notification",
     TaskSubmittedEmailNotifier()),
    (workflow_submitted, WorkflowState, "workflow_state_submitted_email_notification",
     WorkflowSubmittedEmailNotifier()),
    (workflow_rejected, WorkflowState, "workflow_state_rejected_email_notification",
     WorkflowRejectedEmailNotifier()),
    (workflow_approved, WorkflowState, "workflow_state_approved_email_notification",
     WorkflowApprovedEmailNotifier()),
)


class AnswerSubmittedEmailNotifier(TaskSubmittedEmailNotifier):
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
    # Whichever app is ready first: Wagtail's connection is replaced, or never made (a
    # second receiver with the same id is ignored).
    for signal, sender, uid, notifier in WAGTAIL_NOTIFIERS:
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(notifier, sender=sender, dispatch_uid=uid)
    workflow_rejected.connect(on_workflow_rejected, dispatch_uid="palaute-answer-rejected")
    task_submitted.connect(on_task_submitted, dispatch_uid="palaute-answer-resubmitted")
    task_submitted.connect(answer_submitted_email_notifier, sender=TaskState,
                           dispatch_uid="palaute-answer-submitted-email")
