"""Staff views that change cases: one POST per action, and feedback entered by staff.

The views only clean input and report back; ``actions.py`` decides and does.
A failed action changes nothing: its message is shown on the case again.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import actions, notifications
from ..permissions import can_view_feedback
from .forms import ACTION_FORMS, StaffFeedbackForm, action_forms, can_enter_feedback
from .views import FeedbackDetailView


def reply_preview(feedback, message):
    """The reply email as the resident will get it, in their language."""
    context = notifications.feedback_context(feedback, message=message)
    subject, text, _html = notifications.render_email("reply", feedback.language, context)
    return {"subject": subject, "text": text, "recipient": feedback.contact_email}


class FeedbackActionView(FeedbackDetailView):
    """``POST`` one action (``ACTION_FORMS``' keys) on one case, then back to the case.

    A valid form calls the action of the same name in ``actions.ACTIONS``; an
    invalid one, or a reply ``preview``, renders the case again with the form
    filled in. Override ``get_form_class`` to swap a form.
    """

    http_method_names = ["post"]
    bound_form = None
    preview = None

    def get_form_class(self, action_name):
        if action_name not in ACTION_FORMS or action_name not in actions.ACTIONS:
            raise Http404
        return ACTION_FORMS[action_name]

    def post(self, request, pk, action_name):
        form_class = self.get_form_class(action_name)
        feedback = self.object  # 404 for a case the user may not see
        form = form_class(request.POST, feedback=feedback, user=request.user)
        if not form.is_valid():
            return self.form_invalid(form)
        if form.previewable and "preview" in request.POST:
            return self.show_preview(form)
        return self.form_valid(form)

    def form_valid(self, form):
        action = actions.ACTIONS[form.name]
        try:
            updated = action(self.object, user=self.request.user, **form.action_kwargs())
        except actions.ActionError as error:
            # Nothing changed; the handler's text stays in the form to send again.
            messages.error(self.request, str(error))
            self.bound_form = form
            return self.render_to_response(self.get_context_data())
        messages.success(self.request, self.success_message(form, updated))
        if not can_view_feedback(self.request.user, updated):  # re-routed to another team
            return redirect(self.index_url_name)
        return redirect(self.detail_url_name, self.object.pk)

    def success_message(self, form, feedback):
        message = form.success_message(feedback)
        if form.emails_resident and feedback.contact_email:
            told = _("The resident is told by email.")
            message = f"{message} {told}"
        return message

    def form_invalid(self, form):
        messages.error(self.request, _("Nothing was changed: correct the errors below."))
        self.bound_form = form
        return self.render_to_response(self.get_context_data())

    def show_preview(self, form):
        message = form.cleaned_data["message"]
        data = self.request.POST.copy()
        data["message"] = message  # the chosen template, when nothing was written
        self.bound_form = type(form)(data, feedback=self.object, user=self.request.user)
        self.preview = reply_preview(self.object, message)
        return self.render_to_response(self.get_context_data())

    def get_action_forms(self):
        return action_forms(self.object, self.request.user, bound_form=self.bound_form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reply_preview"] = self.preview
        return context


class FeedbackCreateView(WagtailAdminTemplateMixin, FormView):
    """Staff enter feedback that came by phone, post, email or at the service point.

    The case is routed and notified like web feedback (``actions.create_staff_feedback``).
    """

    form_class = StaffFeedbackForm
    template_name = "palaute_plugin/admin/create_feedback.html"
    page_title = gettext_lazy("New feedback")
    header_icon = "comment"
    index_url_name = None
    detail_url_name = None
    create_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not can_enter_feedback(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": gettext_lazy("Feedback")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "action_url": reverse(self.create_url_name),
            "submit_button_label": _("Create feedback"),
            "submit_button_active_label": _("Creating…"),
            "media": context["form"].media,
        })
        return context

    def form_valid(self, form):
        try:
            feedback = actions.create_staff_feedback(form.submission(), user=self.request.user)
        except actions.ActionError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Feedback %(reference)s was created and sent to its handlers.")
            % {"reference": feedback.reference},
        )
        return redirect(self.detail_url_name, feedback.pk)

    def form_invalid(self, form):
        messages.error(self.request, _("The feedback was not created: correct the errors below."))
        return super().form_invalid(form)
