"""Admin views: legal hold of one case, and residents' data requests.

Legal hold: whoever may see the case (404 otherwise) and holds
``palaute_plugin.set_legal_hold`` (403 otherwise). Data requests: holders of
``palaute_plugin.handle_data_requests`` only (403 otherwise).
"""

import logging

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from ..permissions import feedback_for_user
from . import data_requests, log_actions
from .models import LegalHold

logger = logging.getLogger(__name__)

HOLD_PERMISSION = "palaute_plugin.set_legal_hold"
DATA_REQUEST_PERMISSION = "palaute_plugin.handle_data_requests"


class LegalHoldForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, required=False)
    #: What the button said when the page was shown: a form shown before someone else
    #: set or lifted the hold must not do the opposite of what its user asked.
    intent = forms.ChoiceField(choices=[("set", "set"), ("lift", "lift")],
                               widget=forms.HiddenInput)


class LegalHoldView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "palaute_plugin/admin/legal_hold.html"
    page_title = gettext_lazy("Legal hold")
    header_icon = "lock"

    def dispatch(self, request, pk):
        self.case = feedback_for_user(request.user).filter(pk=pk).first()
        if self.case is None:
            raise Http404
        if not request.user.has_perm(HOLD_PERMISSION):
            raise PermissionDenied
        self.hold = LegalHold.objects.filter(feedback=self.case).first()
        self.form = LegalHoldForm(request.POST or None)
        return super().dispatch(request, pk)

    def case_url(self):
        from ..staff.viewsets import feedback_viewset

        return reverse(feedback_viewset.get_url_name("inspect"), args=[self.case.pk])

    def post(self, request, pk):
        if not self.form.is_valid():
            if self.form.has_error("intent"):
                messages.error(request, _("The form was out of date. Check the case's legal "
                                          "hold below and try again."))
                self.form = LegalHoldForm()
            return self.get(request, pk)
        reason = self.form.cleaned_data["reason"].strip()
        intent = self.form.cleaned_data["intent"]
        if (intent == "set") != (self.hold is None):
            # Someone else set or lifted it since this page was shown: nothing changes.
            if self.hold is None:
                messages.warning(request, _("Feedback %(reference)s was not on legal hold "
                                            "(someone lifted it meanwhile): nothing changed.")
                                 % {"reference": self.case.reference})
            else:
                messages.warning(request, _("Feedback %(reference)s was already on legal hold "
                                            "(someone set it meanwhile): nothing changed.")
                                 % {"reference": self.case.reference})
            return redirect(self.case_url())
        if self.hold is None:
            if not reason:
                self.form.add_error("reason", _("Write the reason for the legal hold."))
                return self.get(request, pk)
            try:
                with transaction.atomic():
                    LegalHold.objects.create(feedback=self.case, reason=reason,
                                             set_by=request.user)
                    log(instance=self.case, action=log_actions.LEGAL_HOLD_SET,
                        user=request.user, data={"reason": reason})
            except IntegrityError:
                pass  # set by someone else meanwhile: it is on hold either way
            messages.success(request, _("Feedback %(reference)s is on legal hold.")
                             % {"reference": self.case.reference})
        else:
            with transaction.atomic():
                if LegalHold.objects.filter(pk=self.hold.pk).delete()[0]:
                    log(instance=self.case, action=log_actions.LEGAL_HOLD_LIFTED,
                        user=request.user, data={"reason": reason})
            messages.success(request, _("The legal hold of %(reference)s was lifted.")
                             % {"reference": self.case.reference})
        return redirect(self.case_url())

    def get(self, request, pk):
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"feedback": self.case, "hold": self.hold, "form": self.form,
                        "intent": "lift" if self.hold else "set",
                        "case_url": self.case_url()})
        return context


class DataRequestForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email address"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone number"), required=False, max_length=50)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone", "").strip():
            raise forms.ValidationError(_("Give an email address or a phone number."))
        phone = cleaned.get("phone", "").strip()
        if phone and len(data_requests.national_digits(phone)) < data_requests.MIN_PHONE_DIGITS:
            self.add_error("phone", _("Give the whole phone number."))
        return cleaned


class DataRequestView(WagtailAdminTemplateMixin, TemplateView):
    """Find a resident's cases by email or phone, export them, erase their personal data."""

    template_name = "palaute_plugin/admin/data_requests.html"
    page_title = gettext_lazy("Residents' data requests")
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(DATA_REQUEST_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        # The search is a POST: an address in the query string would end up in access
        # logs, browser history and Referer headers, so a query string is ignored.
        return self.render_to_response(self.get_context_data(form=DataRequestForm(),
                                                             cases=None, others=None))

    def find(self, form):
        email, phone = form.cleaned_data["email"], form.cleaned_data["phone"]
        return (list(data_requests.cases_for(email, phone)),
                data_requests.other_records(email, phone))

    def post(self, request):
        """Find (the default), ``export`` or ``erase``: each is a POST so that the
        address stays in the request body and never reaches a URL."""
        form = DataRequestForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, cases=None,
                                                                 others=None))
        cases, others = self.find(form)
        if "export" in request.POST:
            return self.export(request, cases, others)
        if "erase" not in request.POST:
            return self.render_to_response(self.get_context_data(form=form, cases=cases,
                                                                 others=others))
        if not request.POST.get("confirm"):
            messages.error(request, _("Tick the box to confirm the erasure."))
            return self.render_to_response(self.get_context_data(form=form, cases=cases,
                                                                 others=others))
        return self.erase(request, form, cases, others)

    def export(self, request, cases, others):
        response = HttpResponse(data_requests.export(cases, others),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="palaute-tiedot.json"'
        logger.info("Data request: %s cases exported by user %s.", len(cases),
                    request.user.pk)
        return response

    def erase(self, request, form, cases, others):
        erased, on_hold = data_requests.erase(cases, user=request.user)
        other_count = data_requests.erase_others(form.cleaned_data["email"],
                                                 form.cleaned_data["phone"], user=request.user)
        logger.info("Data request: personal data erased from %s cases by user %s.",
                    len(erased), request.user.pk)
        if other_count:
            messages.success(request, ngettext(
                "%(count)s other record (such as a subscription) was erased.",
                "%(count)s other records (such as subscriptions) were erased.",
                other_count) % {"count": other_count})
        if not cases and not others:
            messages.warning(request, _("No cases or subscriptions were found for this "
                                        "address: there was nothing to erase."))
        elif erased:
            messages.success(request, ngettext(
                "Personal data was erased from %(count)s case.",
                "Personal data was erased from %(count)s cases.", len(erased))
                % {"count": len(erased)})
        elif cases:
            # Every case is on legal hold (said below): nothing of them was erased.
            messages.warning(request, _("No case's personal data was erased."))
        if on_hold:
            messages.warning(request, _("Left as they are because of a legal hold: "
                                        "%(references)s") % {"references": ", ".join(on_hold)})
        return redirect(reverse("palaute_data_requests"))

    def get_context_data(self, **kwargs):
        from ..staff.viewsets import feedback_viewset

        context = super().get_context_data(**kwargs)
        context["inspect_url_name"] = feedback_viewset.get_url_name("inspect")
        # A link only to the cases the staff member may open: a data-protection officer
        # without a category got "you do not have permission" from each one.
        found = [case.pk for case in context.get("cases") or ()]
        context["openable"] = set(feedback_for_user(self.request.user).filter(
            pk__in=found).values_list("pk", flat=True)) if found else set()
        labels = data_requests.source_labels()
        context["other_counts"] = [(labels.get(name, name), len(records))
                                   for name, records in (context.get("others") or {}).items()]
        return context

    def get_breadcrumbs_items(self):
        # Wagtail's header showed "Home" alone, not where the page is.
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]
