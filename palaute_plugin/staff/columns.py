"""Listing columns of the admin's snippet and model screens."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn


class YesNoColumn(BooleanColumn):
    """Wagtail's tick or cross, with "Yes" or "No" in the admin's language as its text
    (Wagtail's title is the value's ``str``: "True" read aloud on a Finnish screen; and a
    plain field column printed "True")."""

    cell_template_name = "palaute_plugin/admin/tables/yes_no_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["text"] = _("Yes") if context["value"] else _("No")
        return context
