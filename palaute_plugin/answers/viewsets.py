"""The answers awaiting approval: Wagtail's edit, revisions, history and workflow screens.

Approvers reach only the answers of categories they approve, handlers only those
of cases they may see; anything else is 404, as for cases. A sent answer is kept
for the record and no longer changed.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_user_display_name
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry
from wagtail.snippets.views.snippets import DeleteView, EditView, SnippetViewSet

from ..workflow_messages import AnswerActionMessages, ReviewersDoNotStopWorkflowsMixin
from . import log_actions
from .approval import answers_for_user, can_view_answer
from .models import SELF_APPROVAL_MESSAGE, AnswerDraft

#: Views that only show an answer: the rest change it, which a sent answer refuses.
READ_ONLY_VIEWS = ("HistoryView", "InspectView", "UsageView", "RevisionsCompareView",
                   "PreviewRevisionView", "RevisionsUnscheduleView", "PreviewOnEditView")


class HideOtherAnswersMixin:
    """For any view of one answer: 404 unless the user may see it; a sent answer is
    not changed any more (403)."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if isinstance(obj, AnswerDraft):
            if not can_view_answer(self.request.user, obj):
                raise Http404
            if obj.sent_at is not None and self.request.method == "POST" and not any(
                    base.__name__ in READ_ONLY_VIEWS for base in type(self).__mro__):
                raise PermissionDenied
        return obj


#: The case's timeline steps that show an answer's text.
TEXT_STEPS = (log_actions.SUBMITTED, log_actions.RESUBMITTED, log_actions.EDITED)


class AnswerEditView(ReviewersDoNotStopWorkflowsMixin, AnswerActionMessages, EditView):
    """Approving (or publishing) one's own answer from the edit form is refused with a
    message on the form, not an error page: e.g. an approver who changed the text and
    then chose "Approve and send" wrote it, so another approver must approve it. The
    changed text stays saved, still in review."""

    def save_instance(self):
        """A text that differs from the one the case's timeline last showed is a step, by
        whoever saved it (an approver's change was nowhere; the writer's is followed by its
        resubmission). Wagtail's autosave (a JSON request every moment of typing) is not:
        the text it kept is compared when the form is saved or acted on."""
        answer = super().save_instance()
        if not self.expects_json_response:
            shown = (ModelLogEntry.objects.for_instance(answer.feedback)
                     .filter(action__in=TEXT_STEPS, data__answer_id=answer.pk)
                     .order_by("-timestamp", "-pk").values_list("data", flat=True).first())
            if shown is not None and shown.get("text") != answer.text:
                log(instance=answer.feedback, action=log_actions.EDITED,
                    user=self.request.user, data={"answer_id": answer.pk, "text": answer.text})
        return answer

    def cancel_workflow_action(self):
        response = super().cancel_workflow_action()
        log(instance=self.object.feedback, action=log_actions.APPROVAL_CANCELLED,
            user=self.request.user, data={"answer_id": self.object.pk})
        return response

    def refused(self, error):
        messages.error(self.request, str(error) or str(SELF_APPROVAL_MESSAGE))
        return redirect(self.get_edit_url())

    def workflow_action_action(self):
        try:
            return super().workflow_action_action()
        except PermissionDenied as error:
            return self.refused(error)

    def publish_action(self):
        try:
            return super().publish_action()
        except PermissionDenied as error:
            return self.refused(error)


class WithdrawAnswerView(DeleteView):
    """Deleting an unsent answer withdraws it, in the case's timeline too. Only its
    writer's side may (Wagtail checks "delete" for the model only, not this answer)."""

    def dispatch(self, request, *args, **kwargs):
        # After ``setup`` found the answer (404 for one not theirs, as in every view).
        if not self.permission_policy.user_has_permission_for_instance(
                request.user, "delete", self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def delete_action(self):
        answer = self.object
        workflow_state = answer.current_workflow_state
        if workflow_state is not None:
            workflow_state.cancel(user=self.request.user)
        log(instance=answer.feedback, action=log_actions.WITHDRAWN, user=self.request.user,
            data={"answer_id": answer.pk, "text": answer.text})
        super().delete_action()


class AnswerDraftViewSet(SnippetViewSet):
    model = AnswerDraft
    icon = "mail"
    menu_label = _("Answers awaiting approval")
    # No "live" column: the list holds unsent answers, and an approved one is sent at once.
    # The writer by full name, as the rest of the admin names staff (not the username).
    list_display = ["__str__", "action",
                    Column("author", label=capfirst(_("written by")),
                           accessor=lambda answer: get_user_display_name(answer.author)
                           if answer.author else ""),
                    "created_at"]
    list_filter = ["action"]
    delete_view_class = WithdrawAnswerView
    edit_view_class = AnswerEditView

    def get_queryset(self, request):
        """The list (only: the other views find sent answers too, for their history) holds
        what awaits approval: a sent answer is done, and its case's timeline shows it."""
        return answers_for_user(request.user).pending().select_related(
            "feedback", "author", "latest_revision")

    def register_chooser_viewset(self):
        """No chooser: nothing links to an answer, and Wagtail's generic chooser would
        list every category's answers to any admin user."""

    def construct_view(self, view_class, **kwargs):
        if hasattr(view_class, "get_object"):
            view_class = type(view_class.__name__, (HideOtherAnswersMixin, view_class), {})
        return super().construct_view(view_class, **kwargs)
