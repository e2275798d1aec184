"""Admin views: the submissions listing with each submission's case, and the conversion.

Wagtail's own rule decides which forms' submissions a user sees
(``get_forms_for_user``); a form outside it answers 404 here.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail.contrib.forms.views import SubmissionsListView

from .. import permissions
from ..models import Feedback
from ..numbers import is_whole_number
from .convert import ConversionError, answers, convert
from .forms import ConvertForm
from .models import FeedbackFormPageMixin


class LegacySubmissionsListView(SubmissionsListView):
    """Wagtail's listing, with a "feedback case" column and a "convert" button."""

    results_template_name = "palaute_plugin/legacy/list_submissions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.is_export:
            return context
        ids = [row["model_id"] for row in context.get("data_rows", [])]
        cases = {case.legacy_submission_id: case for case in Feedback.objects.filter(
            legacy_submission__in=ids).only("pk", "reference", "category_id",
                                             "legacy_submission_id", "assignee_id")}
        visible = set(permissions.feedback_for_user(self.request.user).filter(
            pk__in=[case.pk for case in cases.values()]).values_list("pk", flat=True))
        finder = AdminURLFinder()  # visibility is checked above, with our own rule
        for row in context.get("data_rows", []):
            case = cases.get(row["model_id"])
            row["case"] = case
            row["case_url"] = finder.get_edit_url(case) if case and case.pk in visible else ""
        context["convert_url"] = reverse("palaute_legacy_convert", args=[self.form_page.pk])
        return context


def form_page_for(user, page_id):
    page = get_forms_for_user(user).filter(pk=page_id).first()
    page = page.specific if page else None
    if not isinstance(page, FeedbackFormPageMixin):
        raise Http404
    return page


def convert_view(request, page_id):
    """GET: the chosen submissions and the mapping; POST: convert them."""
    page = form_page_for(request.user, page_id)
    ids = [value for value in request.POST.getlist("selected-submissions")
           or request.GET.getlist("selected-submissions") if is_whole_number(value)]
    submissions = list(page.get_submissions().filter(pk__in=ids).order_by("pk"))
    if not submissions or len(submissions) != len(set(ids)):
        raise Http404
    listing_url = reverse("wagtailforms:list_submissions", args=[page.pk])
    form = ConvertForm(request.POST or None, page=page, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            cases = convert(page, submissions, form.mapping(), user=request.user)
        except ConversionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, ngettext(
                "%(count)s submission converted into feedback: %(references)s.",
                "%(count)s submissions converted into feedback: %(references)s.",
                len(cases)) % {"count": len(cases),
                               "references": ", ".join(c.reference for c in cases)})
            return redirect(listing_url)
    converted = Feedback.objects.filter(legacy_submission__in=submissions).values_list(
        "reference", flat=True)
    context = {
        "page": page, "form": form, "submissions": submissions, "listing_url": listing_url,
        "converted": list(converted),
        "rows": [(s, answers(page, s.get_data())) for s in submissions],
        "header_title": _("Convert into feedback"),
    }
    return TemplateResponse(request, "palaute_plugin/legacy/convert.html", context,
                            status=400 if request.method == "POST" else 200)
