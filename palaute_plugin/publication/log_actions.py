"""Steps of the publication workflow as they appear in the case's timeline."""

from django.utils.translation import gettext_lazy as _

PROPOSED = "palaute_plugin.publication_proposed"
PUBLISHED = "palaute_plugin.publication_published"
UNPUBLISHED = "palaute_plugin.publication_unpublished"
CHANGES_REQUESTED = "palaute_plugin.publication_changes_requested"

LOG_ACTIONS = {
    PROPOSED: (_("Proposed for publication"), _("Proposed for publication")),
    PUBLISHED: (_("Published"), _("The public record was published")),
    UNPUBLISHED: (_("Unpublished"), _("The public record was unpublished")),
    CHANGES_REQUESTED: (_("Changes requested"),
                        _("The moderator requested changes to the public record")),
}


def register_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)
