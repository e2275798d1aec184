"""The places snippet in the admin (editors keep the local geocoder's list)."""

from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from .admin_import import IMPORT_PERMISSIONS, PlaceImportView
from .models import Place


class PlaceIndexView(IndexView):
    import_url_name = None

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.import_url_name and self.request.user.has_perms(IMPORT_PERMISSIONS):
            buttons.append(HeaderButton(_("Import from a file"), url=reverse(
                self.import_url_name), icon_name="upload"))
        return buttons


class PlaceViewSet(SnippetViewSet):
    model = Place
    icon = "site"
    index_view_class = PlaceIndexView
    list_display = ["name_fi", "kind", "number_from", "number_to", "external_id"]
    list_filter = ["kind"]
    search_fields = ["name_fi", "name_sv", "name_en", "aliases", "external_id"]
    ordering = ["name_fi", "number_from"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(import_url_name=self.get_url_name("import"),
                                             **kwargs)

    @property
    def import_view(self):
        return PlaceImportView.as_view(index_url_name=self.get_url_name("list"))

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/", self.import_view, name="import"),
        ]
