"""The log actions of a case, so that Wagtail's history and our timeline name them.

Log with ``wagtail.log_actions.log(instance=feedback, action=..., user=..., data=...)``.
To add an action, add it to ``LOG_ACTIONS`` as ``(label, message)``, or as a
``wagtail.log_actions.LogFormatter`` subclass when the message depends on the
entry's ``data``.
"""

from django.utils.translation import gettext_lazy as _

RECEIVED = "palaute_plugin.received"

LOG_ACTIONS = {
    RECEIVED: (_("Feedback received"), _("Feedback received")),
}


def register_log_actions(actions):
    """Register ``LOG_ACTIONS`` with Wagtail's log action registry."""
    for action, formatter in LOG_ACTIONS.items():
        if isinstance(formatter, tuple):
            label, message = formatter
            actions.register_action(action, label, message)
        else:
            actions.register_action(action)(formatter)
