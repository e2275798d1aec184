"""What an approver or a moderator reads after acting from an edit screen.

Wagtail's edit view answers a workflow action taken from its "More actions" menu with its
generic "'…' updated." (``EditView.get_success_message``): the answers' approvers and the
publications' moderators could not tell that the answer went to the resident or that the
record became public. The views of those two snippets say what happened instead.
"""

from django.utils.translation import gettext as _

#: Wagtail's names of the actions (and menu items) that stop a workflow in progress.
STOP_ACTIONS = ("cancel-workflow", "restart-workflow")


def may_stop_workflow(user, instance):
    """Whether ``user`` may cancel or restart the workflow ``instance`` is in: its writer's
    side may (whoever sent it, and the others who may change it), a reviewer of the step
    in progress may not (Wagtail lets any reviewer cancel, silently for the writer: an
    answer stayed blocked and a proposed record read as the handler's unsent draft); they
    approve or request changes. A superuser may."""
    state = instance.current_workflow_state
    if state is None or user.is_superuser or user == state.requested_by:
        return True
    task_state = state.current_task_state
    if task_state is None:
        return True
    return "approve" not in [name for name, *_rest in task_state.task.specific.get_actions(
        instance, user)]


class ReviewersDoNotStopWorkflowsMixin:
    """For an ``EditView`` of a snippet in a workflow: ``may_stop_workflow`` decides the
    cancel and restart actions (a refused one is not taken: the form is saved as edited)."""

    def get_available_actions(self):
        actions = super().get_available_actions()
        if self.object is not None and not may_stop_workflow(self.request.user, self.object):
            actions = [action for action in actions if action not in STOP_ACTIONS]
        if self.object is not None and self.object.workflow_in_progress:
            # Approve, not publish: Wagtail's "Publish" cancels the review and tells nobody.
            actions = [action for action in actions if action != "publish"]
        return actions


class WorkflowActionMessageMixin:
    """For an ``EditView`` of a snippet in a workflow: ``action_messages(instance)`` maps
    a workflow action's name (``approve``, ``reject``) to the message to show."""

    def action_messages(self, instance):
        return {}

    def get_success_message(self, instance=None):
        if getattr(self, "action", None) == "workflow-action":
            instance = instance or self.object
            instance.refresh_from_db()
            message = self.action_messages(instance).get(self.workflow_action)
            if message is not None:
                return message
        return super().get_success_message(instance)


class AnswerActionMessages(WorkflowActionMessageMixin):
    def action_messages(self, answer):
        name = {"reference": answer.feedback.reference}
        if answer.sent_at:
            approved = _("The answer to %(reference)s was approved and sent to the resident.")
        else:
            approved = _("The answer to %(reference)s was approved; it goes to the resident "
                         "once the workflow's last step approves it.")
        return {"approve": approved % name,
                "reject": _("Changes were requested to the answer to %(reference)s: its "
                            "writer sees your comment.") % name}


class PublicationActionMessages(WorkflowActionMessageMixin):
    def action_messages(self, publication):
        name = {"reference": publication.reference}
        if publication.live:
            approved = _("The public record of %(reference)s was approved and is now public.")
        else:
            approved = _("The public record of %(reference)s was approved; it is published "
                         "once the workflow's last step approves it.")
        return {"approve": approved % name,
                "reject": _("Changes were requested to the public record of %(reference)s: "
                            "the handler sees your comment.") % name}
