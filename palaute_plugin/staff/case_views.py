"""Staff views that change cases: one screen per action, and feedback entered by staff.

The views only clean input and report back; ``actions.py`` decides and does.
A failed action changes nothing: its message is shown with the form again.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django.views.generic.edit import FormMixin
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.models import ModelLogEntry

from .. import actions, notifications
from ..permissions import can_view_feedback
from .forms import ACTION_FORMS, StaffFeedbackForm, can_enter_feedback
from .views import CaseObjectMixin


def latest_change(feedback):
    """The case's latest logged step in words: what, by whom and when."""
    entry = (ModelLogEntry.objects.for_instance(feedback).select_related("user")
             .order_by("-timestamp", "-pk").first())
    if entry is None:
        return ""
    when = date_format(localtime(entry.timestamp), "SHORT_DATETIME_FORMAT")
    if not entry.user_id:
        return _("Latest change: %(change)s (%(time)s).") % {
            "change": entry.message, "time": when}
    return _("Latest change: %(change)s (%(user)s, %(time)s).") % {
        "change": entry.message, "user": entry.user_display_name, "time": when}


def reply_preview(feedback, message):
    """The reply email as the resident will get it, in their language."""
    context = notifications.feedback_context(feedback, message=message)
    subject, text, _html = notifications.render_email("reply", feedback.language, context)
    return {"subject": subject, "text": text, "recipient": feedback.contact_email}


class FeedbackActionView(CaseObjectMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin,
                         TemplateView):
    """One action (``ACTION_FORMS``' keys) on one case: ``GET`` shows its form on a screen
    of its own, ``POST`` performs it and returns to the case.

    A valid form calls the action of the same name in ``actions.ACTIONS``; an
    invalid one, a refused action or a reply ``preview`` shows the form again, filled
    in. Override ``get_form_class`` to swap a form.
    """

    any_permission_required = ["view"]
    template_name = "palaute_plugin/admin/case_action.html"
    form = None
    preview = None

    def get_form_class(self, action_name):
        if action_name not in ACTION_FORMS or action_name not in actions.ACTIONS:
            raise Http404
        return ACTION_FORMS[action_name]

    def get(self, request, pk, action_name):
        form_class = self.get_form_class(action_name)
        if action_name not in actions.available_actions(self.object, request.user):
            if (action_name in actions.WAIT_FOR_PENDING_ANSWER
                    and actions.has_pending_answer(self.object)):
                messages.warning(request, str(actions.ANSWER_PENDING_MESSAGE))
            else:
                messages.warning(request, _("That action is not available for this case now."))
            return redirect(self.get_case_url())
        initial = {"expected_version": self.object.version,
                   **form_class.initial_from(request.GET)}
        self.form = form_class(feedback=self.object, user=request.user, initial=initial)
        return self.render_to_response(self.get_context_data())

    def post(self, request, pk, action_name):
        form_class = self.get_form_class(action_name)
        feedback = self.object  # 404 for a case the user may not see
        self.form = form_class(request.POST, feedback=feedback, user=request.user)
        if not self.form.is_valid():
            return self.form_invalid(self.form)
        if self.form.previewable and "preview" in request.POST:
            return self.show_preview(self.form)
        return self.form_valid(self.form)

    def form_valid(self, form):
        action = actions.ACTIONS[form.name]
        try:
            updated = action(self.object, user=self.request.user, **form.action_kwargs())
        except actions.ConcurrentChange as error:
            return self.concurrent_change(form, error)
        except actions.ActionError as error:
            # Nothing changed; the handler's text stays in the form to send again.
            messages.error(self.request, str(error))
            return self.render_to_response(self.get_context_data())
        messages.success(self.request, self.success_message(form, updated))
        if not can_view_feedback(self.request.user, updated):  # re-routed to another team
            return redirect(self.index_url_name)
        return redirect(self.get_case_url())

    def concurrent_change(self, form, error):
        """Someone else acted first: show the case as it is now, with what they did.

        The form keeps the handler's text and takes the current version, so
        pressing again acts on the case as now shown (unless it changes again).
        """
        self.__dict__.pop("object", None)  # reload the case as it is now
        if form.name not in actions.available_actions(self.object, self.request.user):
            messages.error(self.request, str(error))
            messages.warning(self.request, _("That action is not available for this case now."))
            return redirect(self.get_case_url())
        data = self.request.POST.copy()
        data["expected_version"] = str(self.object.version)
        self.form = type(form)(data, feedback=self.object, user=self.request.user)
        self.form.is_valid()
        message = " ".join(part for part in (str(error), latest_change(self.object)) if part)
        messages.error(self.request, message)
        return self.render_to_response(self.get_context_data())

    def success_message(self, form, feedback):
        if getattr(feedback, "submitted_answer", None) is not None:
            return _("Your answer to %(reference)s was sent for approval. The resident gets "
                     "it once it is approved.") % {"reference": feedback.reference}
        message = form.success_message(feedback)
        if form.emails_resident and feedback.contact_email:
            told = _("The resident is told by email.")
            message = f"{message} {told}"
        return message

    def form_invalid(self, form):
        messages.error(self.request, _("Nothing was changed: correct the errors below."))
        return self.render_to_response(self.get_context_data())

    def show_preview(self, form):
        message = form.cleaned_data["message"]
        data = self.request.POST.copy()
        data["message"] = message  # the chosen template, when nothing was written
        self.form = type(form)(data, feedback=self.object, user=self.request.user)
        self.preview = reply_preview(self.object, message)
        return self.render_to_response(self.get_context_data())

    def get_page_title(self):
        return self.form.label

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": gettext_lazy("Feedback")},
            {"url": self.get_case_url(), "label": self.object.reference},
            {"url": "", "label": self.form.label},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "feedback": self.object,
            "form": self.form,
            "action_url_name": self.action_url_name,
            "case_url": self.get_case_url(),
            "reply_preview": self.preview,
            "media": self.form.media,
        })
        return context


class FeedbackCreateView(generic.CreateView):
    """Staff enter feedback that came by phone, post, email or at the service point.

    The viewset's ``add`` view. The case is routed and notified like web feedback
    (``actions.create_staff_feedback``), not saved from a model form.
    """

    form_class = StaffFeedbackForm
    template_name = "palaute_plugin/admin/create_feedback.html"
    page_title = gettext_lazy("New feedback")
    # Staff entry has its own rule (a category to file under), checked in ``dispatch``.
    permission_required = None
    submit_button_label = gettext_lazy("Create feedback")
    error_message = gettext_lazy("The feedback was not created: correct the errors below.")
    inspect_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not can_enter_feedback(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        # A plain form, not a model form: no instance; the user's categories are offered.
        return {**FormMixin.get_form_kwargs(self), "user": self.request.user}

    def get_page_subtitle(self):
        return ""

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": gettext_lazy("Feedback")},
            {"url": "", "label": self.page_title},
        ]

    def form_valid(self, form):
        try:
            feedback = actions.create_staff_feedback(form.submission(), user=self.request.user)
        except actions.ActionError as error:
            form.add_error(None, str(error))
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Feedback %(reference)s was created and sent to its handlers.")
            % {"reference": feedback.reference},
        )
        return redirect(self.inspect_url_name, feedback.pk)
