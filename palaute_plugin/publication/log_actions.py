"""Steps of the publication workflow as they appear in the case's timeline."""

from django.utils.translation import gettext_lazy as _

from .. import log_actions as case_log_actions
from ..log_actions import TextFormatter

PROPOSED = "palaute_plugin.publication_proposed"
PUBLISHED = "palaute_plugin.publication_published"
UNPUBLISHED = "palaute_plugin.publication_unpublished"
CHANGES_REQUESTED = "palaute_plugin.publication_changes_requested"
DECLINED = "palaute_plugin.publication_declined"


class ChangesRequestedFormatter(TextFormatter):
    """Shows the moderator's comment with the step."""

    label = _("Changes requested")
    message = _("The moderator requested changes to the public record")


class DeclinedFormatter(TextFormatter):
    """Shows the moderator's reason with the step."""

    label = _("Publication declined")
    message = _("The moderator declined to publish the case; the draft was removed")


LOG_ACTIONS = {
    PROPOSED: (_("Proposed for publication"), _("Proposed for publication")),
    PUBLISHED: (_("Published"), _("The public record was published")),
    UNPUBLISHED: (_("Unpublished"), _("The public record was unpublished")),
    CHANGES_REQUESTED: ChangesRequestedFormatter,
    DECLINED: DeclinedFormatter,
}


def register_log_actions(actions):
    case_log_actions.register_log_actions(actions, LOG_ACTIONS)
