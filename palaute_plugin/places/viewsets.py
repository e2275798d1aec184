"""The places snippet in the admin (editors keep the local geocoder's list)."""

from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Place


class PlaceViewSet(SnippetViewSet):
    model = Place
    icon = "site"
    list_display = ["name_fi", "kind", "number_from", "number_to", "external_id"]
    list_filter = ["kind"]
    search_fields = ["name_fi", "name_sv", "name_en", "aliases", "external_id"]
    ordering = ["name_fi", "number_from"]
