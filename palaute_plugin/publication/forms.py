"""The moderator's edit form: warns before saving or approving personal data."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from ..models import FeedbackPhoto
from .blur import format_areas, parse_areas
from .redaction import sensitive_findings


class BlurAreasWidget(forms.Textarea):
    """The areas as text, with the chosen photos beside it to draw on
    (``palaute_plugin/js/blur-areas.js``; without it, the text alone works)."""

    template_name = "palaute_plugin/admin/widgets/blur_areas.html"
    photos = ()

    def get_context(self, name, value, attrs):
        from django.urls import reverse

        from ..staff.viewsets import feedback_viewset

        context = super().get_context(name, value, attrs)
        url_name = feedback_viewset.get_url_name("photo")
        context["photos"] = [(number, reverse(url_name, args=[pk, "full"]))
                             for number, pk in self.photos]
        return context

    @property
    def media(self):
        return forms.Media(js=["palaute_plugin/js/blur-areas.js"],
                           css={"all": ["palaute_plugin/css/blur-areas.css"]})


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

    blurred_areas = forms.CharField(
        label=_("Blurred areas"), required=False,
        widget=BlurAreasWidget(attrs={"rows": 3}),
        help_text=_("Faces, registration plates and other details to hide on the public "
                    "copies: one area a line, the photo number and then left, top, width and "
                    "height in per cent of the photo, e.g. “1: 40 55 20 10”. You can also "
                    "draw an area on a photo with the mouse. The original stays as it is."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["photos"]
        self.photo_numbers = {}
        if self.instance.feedback_id:
            field.queryset = FeedbackPhoto.objects.filter(
                feedback=self.instance.feedback_id, state=FeedbackPhoto.State.READY)
            field.initial = list(self.instance.photo_ids or [])
            self.photo_numbers = {photo.sort_order + 1: photo.pk for photo in field.queryset}
        field.label_from_instance = lambda photo: _("Photo %(number)s") % {
            "number": photo.sort_order + 1}
        areas = self.fields["blurred_areas"]
        areas.initial = format_areas(self.instance.blur_areas, self.photo_numbers)
        areas.widget.photos = [(number, pk) for number, pk in sorted(self.photo_numbers.items())]

    def clean_blurred_areas(self):
        return parse_areas(self.cleaned_data.get("blurred_areas"), self.photo_numbers)

    def save(self, commit=True):
        if "photos" in self.cleaned_data:
            self.instance.photo_ids = [photo.pk for photo in self.cleaned_data["photos"]]
        if "blurred_areas" in self.cleaned_data:
            self.instance.blur_areas = self.cleaned_data["blurred_areas"]
        return super().save(commit=commit)

    def clean(self):
        cleaned = super().clean()
        text = " ".join(str(cleaned.get(name) or "") for name in
                        ("title", "text", "public_answer"))
        findings = sensitive_findings(text)
        if findings and not cleaned.get("personal_data_checked"):
            self.add_error("text", _(
                "The text seems to contain an email address, a phone number, a home address "
                "or a personal identity code (%(found)s). Remove it, or confirm below that you "
                "checked it."
            ) % {"found": ", ".join(findings)})
        return cleaned
