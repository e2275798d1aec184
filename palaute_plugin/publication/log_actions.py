"""Steps of the publication workflow as they appear in the case's timeline."""

from django.utils.translation import gettext_lazy as _

from .. import log_actions as case_log_actions
from ..log_actions import TextFormatter

PROPOSED = "palaute_plugin.publication_proposed"
PUBLISHED = "palaute_plugin.publication_published"
UNPUBLISHED = "palaute_plugin.publication_unpublished"
CHANGES_REQUESTED = "palaute_plugin.publication_changes_requested"


class ChangesRequestedFormatter(TextFormatter):
    """Shows the moderator's comment with the step."""

    label = _("Changes requested")
    message = _("The moderator requested changes to the public record")


LOG_ACTIONS = {
    PROPOSED: (_("Proposed for publication"), _("Proposed for publication")),
    PUBLISHED: (_("Published"), _("The public record was published")),
    UNPUBLISHED: (_("Unpublished"), _("The public record was unpublished")),
    CHANGES_REQUESTED: ChangesRequestedFormatter,
}


def register_log_actions(actions):
    case_log_actions.register_log_actions(actions, LOG_ACTIONS)
