"""Admin views of publications: proposing from the case screen, and hiding
other categories' publications from handlers (404, as for their cases)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import permissions
from ..actions import ActionError
from ..models import Feedback
from ..permissions import MODERATE_PERMISSION
from . import actions
from .models import FeedbackPublication

CHANGE_PERMISSION = "palaute_plugin.change_feedbackpublication"


def is_moderator(user):
    return user.is_active and user.has_perm(MODERATE_PERMISSION)


def publications_for_user(user):
    """Moderators see every publication; handlers those of cases they may see."""
    if is_moderator(user):
        return FeedbackPublication.objects.all()
    return FeedbackPublication.objects.filter(
        feedback__in=permissions.feedback_for_user(user).values("pk"))


def can_view_publication(user, publication):
    return publications_for_user(user).filter(pk=publication.pk).exists()


class HideOtherCategoriesMixin:
    """For any view of one publication: 404 unless the user may see it."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if isinstance(obj, FeedbackPublication) and not can_view_publication(
                self.request.user, obj):
            raise Http404
        return obj


class ProposeView(View):
    """``POST``: propose a case for publication; back to the case with the outcome."""

    http_method_names = ["post"]
    case_url_name = None  # the case screen, set by the viewset
    edit_url_name = None

    def post(self, request, feedback_pk):
        feedback = get_object_or_404(Feedback, pk=feedback_pk)
        if not permissions.can_view_feedback(request.user, feedback):
            raise Http404
        try:
            publication = actions.propose(feedback, user=request.user)
        except ActionError as error:
            messages.error(request, str(error))
            return redirect(self.case_url_name, feedback.pk)
        messages.success(request, _("A draft public record was created and sent to the "
                                    "moderators. Check the redactions."))
        if not request.user.has_perm(CHANGE_PERMISSION):
            return redirect(self.case_url_name, feedback.pk)
        return redirect(self.edit_url_name, publication.pk)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it not published?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The handler who proposed it gets this by email, and it stays "
                               "in the case's history. The resident is not told."),
        error_messages={"required": gettext_lazy(
            "Say why it is not published: the handler reads it.")})


class DeclineView(WagtailAdminTemplateMixin, FormView):
    """``GET`` asks a moderator why; ``POST`` declines the draft (``actions.decline``):
    "Do not publish" beside Wagtail's "Request changes", which only sends it back."""

    form_class = DeclineForm
    template_name = "palaute_plugin/admin/publication_decline.html"
    page_title = gettext_lazy("Do not publish")
    header_icon = "cross"
    index_url_name = None  # the publications' listing, set by the viewset
    edit_url_name = None

    def dispatch(self, request, pk):
        self.publication = get_object_or_404(
            FeedbackPublication.objects.select_related("feedback", "category"), pk=pk)
        if not can_view_publication(request.user, self.publication):
            raise Http404
        if not actions.can_decline(self.publication, request.user):
            raise PermissionDenied
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return str(self.publication)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "publication": self.publication,
                "edit_url": reverse(self.edit_url_name, args=[self.publication.pk])}

    def form_valid(self, form):
        reference = self.publication.reference
        try:
            actions.decline(self.publication, user=self.request.user,
                            reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _(
            "%(reference)s will not be published: its draft was removed and the handler "
            "who proposed it was told why.") % {"reference": reference})
        return redirect(self.index_url_name)
