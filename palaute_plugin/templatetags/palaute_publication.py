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
    return {
        "feedback": feedback,
        "publication": publication,
        "can_propose": publication is None and can_propose(feedback, user),
        "can_edit": user.has_perm("palaute_plugin.change_feedbackpublication"),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
