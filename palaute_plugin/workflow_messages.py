"""What an approver or a moderator reads after acting from an edit screen.

Wagtail's edit view answers a workflow action taken from its "More actions" menu with its
generic "'…' updated." (``EditView.get_success_message``): the answers' approvers and the
publications' moderators could not tell that the answer went to the resident or that the
record became public. The views of those two snippets say what happened instead.
"""

from django.utils.translation import gettext as _


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
