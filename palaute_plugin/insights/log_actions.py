"""Log actions of retention, erasure and legal hold (registered in ``wagtail_hooks``)."""

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

from ..log_actions import TextFormatter

PERSONAL_DATA_REMOVED = "palaute_plugin.personal_data_removed"
PHOTOS_DELETED = "palaute_plugin.photos_deleted"
LEGAL_HOLD_SET = "palaute_plugin.legal_hold_set"
LEGAL_HOLD_LIFTED = "palaute_plugin.legal_hold_lifted"


class PersonalDataRemovedFormatter(LogFormatter):
    label = _("Personal data removed")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if data.get("reason") == "request":
            message = _("The resident's personal data was erased at their request")
        else:
            message = _("The resident's contact details were removed after the retention "
                        "period")
        if data.get("review_withdrawn"):
            message = _("%(erased)s. The review of its public record was cancelled.") % {
                "erased": message}
        return message


class PhotosDeletedFormatter(LogFormatter):
    label = _("Photos deleted")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if data.get("reason") == "request":
            return _("%(count)s photos deleted at the resident's request") % {
                "count": data.get("photos", 0)}
        return _("%(count)s photos deleted after the retention period") % {
            "count": data.get("photos", 0)}


class LegalHoldSetFormatter(TextFormatter):
    label = _("Legal hold set")
    message = _("Put on legal hold: kept as it is until the hold is lifted")


class LegalHoldLiftedFormatter(TextFormatter):
    label = _("Legal hold lifted")
    message = _("Legal hold lifted")


LOG_ACTIONS = {
    PERSONAL_DATA_REMOVED: PersonalDataRemovedFormatter,
    PHOTOS_DELETED: PhotosDeletedFormatter,
    LEGAL_HOLD_SET: LegalHoldSetFormatter,
    LEGAL_HOLD_LIFTED: LegalHoldLiftedFormatter,
}
