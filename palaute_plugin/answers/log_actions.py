"""Steps of an answer's approval as they appear in the case's timeline (staff only:
the resident sees the answer itself once it is sent)."""

from django.utils.translation import gettext_lazy as _

from .. import log_actions as case_log_actions
from ..log_actions import TextFormatter

SUBMITTED = "palaute_plugin.answer_submitted"
RESUBMITTED = "palaute_plugin.answer_resubmitted"
CHANGES_REQUESTED = "palaute_plugin.answer_changes_requested"
APPROVED = "palaute_plugin.answer_approved"
WITHDRAWN = "palaute_plugin.answer_withdrawn"


class SubmittedFormatter(TextFormatter):
    label = _("Answer submitted for approval")
    message = _("An answer to the resident was submitted for approval")


class ResubmittedFormatter(TextFormatter):
    label = _("Answer resubmitted for approval")
    message = _("The edited answer was resubmitted for approval")


class ChangesRequestedFormatter(TextFormatter):
    """Shows the approver's comment with the step."""

    label = _("Changes to the answer requested")
    message = _("The approver requested changes to the answer")


class ApprovedFormatter(TextFormatter):
    label = _("Answer approved")
    message = _("The answer was approved and sent to the resident")


LOG_ACTIONS = {
    SUBMITTED: SubmittedFormatter,
    RESUBMITTED: ResubmittedFormatter,
    CHANGES_REQUESTED: ChangesRequestedFormatter,
    APPROVED: ApprovedFormatter,
    WITHDRAWN: (_("Answer withdrawn"), _("The answer awaiting approval was withdrawn")),
}


def register_log_actions(actions):
    case_log_actions.register_log_actions(actions, LOG_ACTIONS)
