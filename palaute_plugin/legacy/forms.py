"""The handler's conversion form: category, kind and which fields fill the case."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import Feedback
from .convert import Mapping


class ConvertForm(forms.Form):
    """Pre-filled from the form page's saved mapping; categories the user handles only."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=None,
                                      error_messages={"required": _("Choose the category.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=[
        (value, capfirst(label)) for value, label in Feedback.Kind.choices])
    message_field = forms.ChoiceField(label=_("Message field"), error_messages={
        "required": _("Choose the field that holds the message."),
        "invalid_choice": _("The form has no field “%(value)s”. Check the mapping.")})
    name_field = forms.ChoiceField(label=_("Name field"), required=False)
    email_field = forms.ChoiceField(label=_("Email field"), required=False)
    phone_field = forms.ChoiceField(label=_("Phone field"), required=False)

    def __init__(self, *args, page, user, **kwargs):
        mapping = page.feedback_mapping()
        kwargs.setdefault("initial", {
            "category": mapping.category, "kind": mapping.kind,
            "message_field": mapping.message_field, "name_field": mapping.name_field,
            "email_field": mapping.email_field, "phone_field": mapping.phone_field})
        super().__init__(*args, **kwargs)
        self.page = page
        self.fields["category"].queryset = (
            permissions.visible_categories(user).accepting_feedback()
            .select_related("parent").order_by("sort_order", "name_fi"))
        choices = page.feedback_field_choices()
        self.fields["message_field"].choices = [("", "---------")] + choices
        for name in ("name_field", "email_field", "phone_field"):
            self.fields[name].choices = [("", _("(none)"))] + choices

    def mapping(self):
        data = self.cleaned_data
        return Mapping(category=data["category"], kind=data["kind"],
                       message_field=data["message_field"], name_field=data["name_field"],
                       email_field=data["email_field"], phone_field=data["phone_field"])
