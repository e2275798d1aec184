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
EDITED = "palaute_plugin.answer_edited"
APPROVAL_CANCELLED = "palaute_plugin.answer_approval_cancelled"


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


class EditedFormatter(TextFormatter):
    """The text as changed, by whoever changed it (an approver's edit was nowhere)."""

    label = _("Answer edited")
    message = _("The answer's text was changed")


LOG_ACTIONS = {
    SUBMITTED: SubmittedFormatter,
    RESUBMITTED: ResubmittedFormatter,
    CHANGES_REQUESTED: ChangesRequestedFormatter,
    APPROVED: ApprovedFormatter,
    WITHDRAWN: (_("Answer withdrawn"), _("The answer awaiting approval was withdrawn")),
    EDITED: EditedFormatter,
    APPROVAL_CANCELLED: (_("Answer's approval cancelled"),
                         _("The answer's approval was cancelled: it waits to be resubmitted "
                           "or withdrawn")),
}


def register_log_actions(actions):
    case_log_actions.register_log_actions(actions, LOG_ACTIONS)
