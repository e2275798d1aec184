"""The log actions of a case, so that Wagtail's history and our timeline name them.

Log with ``wagtail.log_actions.log(instance=feedback, action=..., user=..., data=...)``.
To add an action, add it to ``LOG_ACTIONS`` as ``(label, message)``, or as a
``wagtail.log_actions.LogFormatter`` subclass when the message depends on the
entry's ``data``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter
from wagtail.models import ModelLogEntry

RECEIVED = "palaute_plugin.received"
ASSIGNED = "palaute_plugin.assigned"
REPLIED = "palaute_plugin.replied"
STATUS_CHANGED = "palaute_plugin.status_changed"
CATEGORY_CHANGED = "palaute_plugin.category_changed"
NOTE = "palaute_plugin.note"
FOLLOW_UP = "palaute_plugin.follow_up"

#: What a resident may see on their status page (never notes, assignments or names).
PUBLIC = (RECEIVED, REPLIED, STATUS_CHANGED, FOLLOW_UP)
#: Statuses a resident is never told of, not even in the history of a reopened case.
INTERNAL_STATUSES = ("rejected",)


def public_history(feedback):
    """The steps of a case its resident sees on the private status page, oldest first."""
    return (ModelLogEntry.objects.for_instance(feedback).filter(action__in=PUBLIC)
            .exclude(action=STATUS_CHANGED, data__status__in=INTERNAL_STATUSES)
            .order_by("timestamp", "pk"))


class TextFormatter(LogFormatter):
    """Shows what was written with the step (a note, an answer, a reason) as its comment."""

    def format_comment(self, log_entry):
        data = log_entry.data or {}
        return data.get("text") or data.get("public_message") or data.get("reason") or ""


class NoteFormatter(TextFormatter):
    label = _("Internal note")
    message = _("Internal note added")


class RepliedFormatter(TextFormatter):
    label = _("Replied")
    message = _("Replied to the resident")


class FollowUpFormatter(TextFormatter):
    label = _("Resident added information")
    message = _("The resident added information")


class AssignedFormatter(LogFormatter):
    label = _("Assigned")

    def format_message(self, log_entry):
        return _("Assigned to %(name)s") % {"name": log_entry.data.get("assignee", "")}


class StatusChangedFormatter(TextFormatter):
    label = _("Status changed")

    def format_message(self, log_entry):
        from .models import Feedback

        data = log_entry.data or {}
        status = dict(Feedback.Status.choices).get(data.get("status"), "")
        message = _("Status changed to “%(status)s”") % {"status": status}
        # What the case was linked to, at the step that linked it and at a reopening.
        links = []
        if data.get("status") == Feedback.Status.ALREADY_KNOWN and data.get("duplicate_of"):
            links.append(_("earlier feedback %(reference)s") % {
                "reference": data["duplicate_of"]})
        if data.get("status") == Feedback.Status.REDIRECTED and data.get("authority"):
            links.append(_("directed to %(authority)s") % {"authority": data["authority"]})
        if data.get("was_duplicate_of"):
            links.append(_("had been linked to earlier feedback %(reference)s") % {
                "reference": data["was_duplicate_of"]})
        if data.get("was_redirected_to"):
            links.append(_("had been directed to %(authority)s") % {
                "authority": data["was_redirected_to"]})
        if links:
            message = f"{message} ({'; '.join(str(link) for link in links)})"
        return message


class CategoryChangedFormatter(LogFormatter):
    label = _("Category changed")

    def format_message(self, log_entry):
        return _("Category changed from %(old)s to %(new)s") % {
            "old": log_entry.data.get("from", ""), "new": log_entry.data.get("to", "")}


LOG_ACTIONS = {
    RECEIVED: (_("Feedback received"), _("Feedback received")),
    ASSIGNED: AssignedFormatter,
    REPLIED: RepliedFormatter,
    STATUS_CHANGED: StatusChangedFormatter,
    CATEGORY_CHANGED: CategoryChangedFormatter,
    NOTE: NoteFormatter,
    FOLLOW_UP: FollowUpFormatter,
}


def register_log_actions(actions, log_actions=None):
    """Register ``log_actions`` (default ``LOG_ACTIONS``) with Wagtail's log action registry:
    ``(label, message)`` pairs or ``LogFormatter`` subclasses."""
    for action, formatter in (LOG_ACTIONS if log_actions is None else log_actions).items():
        if isinstance(formatter, tuple):
            label, message = formatter
            actions.register_action(action, label, message)
        else:
            actions.register_action(action)(formatter)
