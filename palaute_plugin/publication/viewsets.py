"""The publications snippet: Wagtail's edit, preview, revisions and workflow screens."""

from django.db.models import Prefetch
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.models import WorkflowState
from wagtail.snippets.action_menu import ActionMenuItem
from wagtail.snippets.views.snippets import EditView, SnippetViewSet

from ..staff.columns import YesNoColumn
from ..workflow_messages import PublicationActionMessages, ReviewersDoNotStopWorkflowsMixin
from .actions import can_decline
from .models import FeedbackPublication
from .views import DeclineView, HideOtherCategoriesMixin, ProposeView, publications_for_user


class PublicationEditView(ReviewersDoNotStopWorkflowsMixin, PublicationActionMessages, EditView):
    """Wagtail's edit view, saying what an approval or a request for changes did; the
    moderators approve or request changes, they do not cancel the handler's proposal."""


class DeclineMenuItem(ActionMenuItem):
    """The editor's "Do not publish" for a moderator, beside "Request changes" (which only
    sends the draft back to its handler)."""

    name = "action-decline"
    label = _("Do not publish")
    icon_name = "cross"
    order = 60

    def is_shown(self, context):
        instance = context.get("instance")
        return (context.get("view") == "edit" and isinstance(instance, FeedbackPublication)
                and can_decline(instance, context["request"].user))

    def get_url(self, context):
        return reverse(FeedbackPublication.snippet_viewset.get_url_name("decline"),
                       args=[context["instance"].pk])


class ReviewColumn(Column):
    """Where a record stands in moderation: awaiting review, sent back for changes, or
    neither (then "Live" says whether it is public). The list showed only "Live: No" for a
    draft awaiting the moderator and for one sent back to its handler alike."""

    def __init__(self):
        super().__init__("review", label=_("Review"))

    def get_value(self, instance):
        statuses = {state.status for state in instance._current_workflow_states}
        if WorkflowState.STATUS_IN_PROGRESS in statuses:
            return _("Awaiting review")
        if WorkflowState.STATUS_NEEDS_CHANGES in statuses:
            return _("Changes requested")
        return "–"


class FeedbackPublicationViewSet(SnippetViewSet):
    """Moderators see all publications; handlers only their categories' (404 otherwise).

    Extra URL names ``propose`` (``POST`` with the case's pk) and ``decline`` (a
    moderator's "Do not publish", with the publication's pk).
    """

    model = FeedbackPublication
    icon = "globe"
    menu_label = _("Publications")
    list_display = ["title", "reference", "category", "shown_status",
                    YesNoColumn("live", label=capfirst(
                        FeedbackPublication._meta.get_field("live").verbose_name),
                        sort_key="live"),
                    ReviewColumn()]
    list_filter = ["live", "shown_status", "category"]
    search_fields = ["title", "text", "reference"]
    propose_view_class = ProposeView
    edit_view_class = PublicationEditView

    def get_queryset(self, request):
        # The moderation states of the page's rows in one query (ReviewColumn).
        return publications_for_user(request.user).select_related("category").prefetch_related(
            Prefetch("_workflow_states", queryset=WorkflowState.objects.active(),
                     to_attr="_current_workflow_states"))

    def register_chooser_viewset(self):
        """No chooser: nothing links to a publication, and Wagtail's generic chooser would
        list every draft to any admin user."""

    def construct_view(self, view_class, **kwargs):
        if hasattr(view_class, "get_object"):
            view_class = type(view_class.__name__, (HideOtherCategoriesMixin, view_class), {})
        return super().construct_view(view_class, **kwargs)

    def get_urlpatterns(self):
        from ..staff.viewsets import feedback_viewset

        propose = self.propose_view_class.as_view(
            edit_url_name=self.get_url_name("edit"),
            case_url_name=feedback_viewset.get_url_name("inspect"))
        decline = DeclineView.as_view(index_url_name=self.get_url_name("list"),
                                      edit_url_name=self.get_url_name("edit"))
        return super().get_urlpatterns() + [
            path("propose/<int:feedback_pk>/", propose, name="propose"),
            path("decline/<int:pk>/", decline, name="decline"),
        ]
