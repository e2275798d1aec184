"""The moderator's edit form: warns before saving or approving personal data."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .redaction import sensitive_findings


class PublicationForm(WagtailAdminModelForm):
    """Refuses a text with an email address or a personal identity code until the
    moderator confirms they checked it."""

    personal_data_checked = forms.BooleanField(
        label=_("I checked the text: it contains no personal data"), required=False,
        help_text=_("Needed only when the text looks like it has an email address or a "
                    "personal identity code."),
    )

    def clean(self):
        cleaned = super().clean()
        text = " ".join(str(cleaned.get(name) or "") for name in
                        ("title", "text", "public_answer"))
        findings = sensitive_findings(text)
        if findings and not cleaned.get("personal_data_checked"):
            self.add_error("text", _(
                "The text seems to contain an email address or a personal identity code "
                "(%(found)s). Remove it, or confirm below that you checked it."
            ) % {"found": ", ".join(findings)})
        return cleaned
