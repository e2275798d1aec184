"""The case screen's publication panel: propose, or the state of the public record."""

from django import template

from ..publication.actions import can_propose
from ..publication.models import FeedbackPublication

register = template.Library()


@register.inclusion_tag("palaute_plugin/admin/includes/case_publication.html",
                        takes_context=True)
def case_publication(context, feedback):
    user = context["request"].user
    publication = FeedbackPublication.objects.filter(feedback=feedback).first()
    # Where the record is in the moderators' workflow: in review, or sent back with the
    # moderator's comment (the handler's move), or neither (changes not yet submitted).
    workflow_state = publication.current_workflow_state if publication else None
    needs_changes = workflow_state is not None and workflow_state.status == "needs_changes"
    comment = ""
    if needs_changes and workflow_state.current_task_state:
        comment = workflow_state.current_task_state.get_comment()
    return {
        "feedback": feedback,
        "publication": publication,
        "in_review": workflow_state is not None and not needs_changes,
        "needs_changes": needs_changes,
        "comment": comment,
        "can_propose": publication is None and can_propose(feedback, user),
        "can_edit": user.has_perm("palaute_plugin.change_feedbackpublication"),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
