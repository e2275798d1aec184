"""Admin screens of the API: keys (Settings, administrators only) and service attributes."""

from django import forms
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from ..staff.columns import YesNoColumn
from .models import ApiKey, ServiceAttribute


class ApiKeyForm(WagtailAdminModelForm):
    """The key's settings; on an existing key, a box to revoke it (or restore it)."""

    revoked = forms.BooleanField(
        label=_("revoked"), required=False,
        help_text=_("A revoked key is refused at once. Create a new key to replace it."))

    class Meta:
        model = ApiKey
        fields = ["name", "channel_label", "rate_limit", "pre_moderation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["revoked"]
        else:
            self.fields["revoked"].initial = self.instance.is_revoked

    def save(self, commit=True):
        if "revoked" in self.cleaned_data:
            revoked = self.cleaned_data["revoked"]
            if revoked and self.instance.revoked_at is None:
                self.instance.revoked_at = timezone.now()
            elif not revoked:
                self.instance.revoked_at = None
        return super().save(commit=commit)


class ApiKeyCreateView(CreateView):
    """Creates the key and shows its secret once, instead of redirecting to the list."""

    def save_instance(self):
        self.new_key = self.form.instance.issue()
        return super().save_instance()

    def save_action(self):
        response = TemplateResponse(self.request, "palaute_plugin/open311/key_created.html", {
            "object": self.object, "new_key": self.new_key, "header_title": self.object.name,
            "page_title": _("API key created"), "header_icon": "key",
            "index_url": reverse(self.index_url_name)})
        response["Cache-Control"] = "no-store"
        return response


class ApiKeyViewSet(ModelViewSet):
    """Open311 API keys under Settings, for users with the model's permissions."""

    model = ApiKey
    name = "palaute_open311_keys"
    icon = "key"
    add_to_settings_menu = True
    menu_label = _("API keys")
    form_fields = ["name", "channel_label", "rate_limit", "pre_moderation"]
    list_display = ["name", "channel_label", "prefix", "rate_limit",
                    YesNoColumn("is_revoked", label=_("revoked")), "created_at"]
    add_view_class = ApiKeyCreateView
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return ApiKeyForm


class ServiceAttributeViewSet(SnippetViewSet):
    """Extra questions of a category in the API's service definitions."""

    model = ServiceAttribute
    icon = "list-ul"
    list_display = ["category", "code", "datatype", "required", "sort_order"]
    list_filter = ["category", "datatype"]
