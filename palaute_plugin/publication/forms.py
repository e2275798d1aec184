"""The moderator's edit form: warns before saving or approving personal data."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from ..models import FeedbackPhoto
from .redaction import sensitive_findings


class PublicationForm(WagtailAdminModelForm):
    """Refuses a text with an email address or a personal identity code until the
    moderator confirms they checked it."""

    personal_data_checked = forms.BooleanField(
        label=_("I checked the text: it contains no personal data"), required=False,
        help_text=_("Needed only when the text looks like it has an email address or a "
                    "personal identity code."),
    )

    photos = forms.ModelMultipleChoiceField(
        label=_("Photos shown publicly"), required=False, queryset=FeedbackPhoto.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Public copies are made on publication; the originals stay private. "
                    "Choose only photos without faces or registration plates."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["photos"]
        if self.instance.feedback_id:
            field.queryset = FeedbackPhoto.objects.filter(
                feedback=self.instance.feedback_id, state=FeedbackPhoto.State.READY)
            field.initial = list(self.instance.photo_ids or [])
        field.label_from_instance = lambda photo: _("Photo %(number)s") % {
            "number": photo.sort_order + 1}

    def save(self, commit=True):
        if "photos" in self.cleaned_data:
            self.instance.photo_ids = [photo.pk for photo in self.cleaned_data["photos"]]
        return super().save(commit=commit)

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
