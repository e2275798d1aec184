"""The moderators' approval task: Wagtail's group approval, with a personal-data stop.

When the text about to be approved still looks like it holds an email address or
a personal identity code, "Approve" asks for an explicit confirmation in its dialog,
also from the dashboard's "Awaiting your review", where the edit form's own warning
(``forms.PublicationForm``) is not shown.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.models import GroupApprovalTask

from .redaction import sensitive_findings


class ConfirmedApprovalForm(TaskStateCommentForm):
    personal_data_checked = forms.BooleanField(
        label=_("I checked the text: it contains no personal data"), required=True,
        help_text=_("The text seems to contain an email address, a phone number, a home "
                    "address or a personal identity code. Approve only if it may be published."),
    )


def findings_for(obj):
    """What looks personal in the version of ``obj`` that approval would publish."""
    latest = obj.get_latest_revision_as_object() if hasattr(
        obj, "get_latest_revision_as_object") else obj
    text = " ".join(str(getattr(latest, name, "") or "")
                    for name in ("title", "text", "public_answer"))
    return sensitive_findings(text)


class PublicationApprovalTask(GroupApprovalTask):
    """A group approval task that stops to confirm before publishing personal data."""

    #: What ``get_actions`` found in the object (the workflow views call it first).
    _findings = ()

    class Meta:
        verbose_name = _("publication approval task")
        verbose_name_plural = _("publication approval tasks")

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        self._findings = findings_for(obj)
        if not actions or not self._findings:
            return actions
        return [action for action in actions if action[0] != "approve"] + [
            ("approve", _("Approve despite the personal data warning"), True)]

    def get_form_for_action(self, action):
        if action != "approve":
            return super().get_form_for_action(action)
        task = self

        class ApprovalForm(ConfirmedApprovalForm):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if not task._findings:
                    del self.fields["personal_data_checked"]

        return ApprovalForm

    def on_action(self, task_state, user, action_name, **kwargs):
        checked = kwargs.pop("personal_data_checked", False)
        if action_name == "approve" and not checked and findings_for(
                task_state.workflow_state.content_object):
            return None  # not approved: the dialog asks for the confirmation first
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve publications; approving text "
                 "that looks like personal data needs a confirmation")
