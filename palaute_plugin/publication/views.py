"""Admin views of publications: proposing from the case screen, and hiding
other categories' publications from handlers (404, as for their cases)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin import messages

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
