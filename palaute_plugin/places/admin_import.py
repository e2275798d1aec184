"""Importing places in the admin: the same file formats and all-or-nothing check as
``manage.py palaute_import_places`` (``importing.py``), for an editor with a file."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .importing import PlaceImportError, import_places, read_csv, read_geojson

#: The largest file accepted; a city's export of streets and landmarks is far smaller.
MAX_FILE_BYTES = 10 * 1024 * 1024
IMPORT_PERMISSIONS = ("palaute_plugin.add_place", "palaute_plugin.change_place")


class PlaceImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A CSV or GeoJSON export in UTF-8 (.csv, .geojson or .json)."),
        error_messages={"required": gettext_lazy("Choose the file to import.")},
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Delete the places the file does not contain"), required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 10 MB)."))
        try:
            self.text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not in UTF-8: export it as UTF-8.")) \
                from None
        self.format = "csv" if upload.name.lower().endswith(".csv") else "geojson"
        return upload

    def rows(self):
        return read_csv(self.text) if self.format == "csv" else read_geojson(self.text)


class PlaceImportView(WagtailAdminTemplateMixin, FormView):
    """``GET`` the upload form; ``POST`` imports every row or, with any error, none and
    lists the errors by line."""

    form_class = PlaceImportForm
    template_name = "palaute_plugin/admin/place_import.html"
    page_title = gettext_lazy("Import places")
    header_icon = "upload"
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        if form.cleaned_data["replace"] and not self.request.user.has_perm(
                "palaute_plugin.delete_place"):
            form.add_error("replace", _("You may not delete places."))
            return self.form_invalid(form)
        try:
            result = import_places(form.rows(), replace=form.cleaned_data["replace"])
        except PlaceImportError as error:
            self.import_errors = error.errors
            messages.error(self.request, _("Nothing was imported: correct the file and "
                                           "try again."))
            return self.form_invalid(form)
        messages.success(self.request, _("Imported %(created)s new and updated %(updated)s "
                                         "places.") % {"created": result.created,
                                                       "updated": result.updated})
        return redirect(self.index_url_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["import_errors"] = getattr(self, "import_errors", [])
        return context
