"""Registers the feedback admin with Wagtail; the views live in viewsets.py."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from . import log_actions
from .answers import log_actions as answer_log_actions
from .answers.models import APPROVE_AND_SEND, APPROVE_AND_SEND_WITH_COMMENT, AnswerDraft
from .answers.permissions import AnswerPermissionPolicy
from .answers.viewsets import AnswerDraftViewSet
from .insights import log_actions as insights_log_actions
from .insights import views as insights_views
from .legacy import convert as legacy_convert
from .legacy import urls as legacy_urls
from .models import Feedback
from .open311 import log_actions as open311_log_actions
from .open311.viewsets import ApiKeyViewSet, ServiceAttributeViewSet
from .permissions import FeedbackPermissionPolicy
from .places.viewsets import PlaceViewSet
from .publication import log_actions as publication_log_actions
from .publication import log_entries as publication_log_entries
from .publication import personal_data as publication_personal_data
from .publication.models import FeedbackPublication
from .publication.permissions import PublicationPermissionPolicy
from .publication.viewsets import DeclineMenuItem, FeedbackPublicationViewSet
from .staff import dashboard
from .staff.bulk_actions import BULK_ACTIONS
from .staff.viewsets import (
    FeedbackCategoryViewSet,
    OtherAuthorityViewSet,
    ResponseTemplateViewSet,
    feedback_viewset,
)
from .stats import menu as stats_menu
from .stats import urls as stats_urls
from .workflow_messages import STOP_ACTIONS, may_stop_workflow

# Before any view asks the registry, or Wagtail would fall back to model permissions.
register_permission_policy(Feedback, FeedbackPermissionPolicy())
# Now, not when the admin URLs load: a worker writing staff emails may never load them.
feedback_viewset.register_admin_url_finder()

register_snippet(FeedbackCategoryViewSet)
register_snippet(OtherAuthorityViewSet)
register_snippet(ResponseTemplateViewSet)
register_snippet(PlaceViewSet)
register_permission_policy(FeedbackPublication, PublicationPermissionPolicy(FeedbackPublication))
register_snippet(FeedbackPublicationViewSet)
register_permission_policy(AnswerDraft, AnswerPermissionPolicy())
register_snippet(AnswerDraftViewSet)
register_snippet(ServiceAttributeViewSet)


@hooks.register("construct_snippet_action_menu")
def answers_are_sent_not_published(menu_items, request, context):
    """An approved answer is emailed to the resident, never published: Wagtail names the
    last task's approval "… and Publish" ("Hyväksy ja lähetä ja julkaise")."""
    if context.get("model") is not AnswerDraft:
        return
    ours = [str(label) for label in (APPROVE_AND_SEND, APPROVE_AND_SEND_WITH_COMMENT)]
    published = {gettext("%(label)s and Publish") % {"label": label}: label for label in ours}
    for item in menu_items:
        if str(getattr(item, "label", "")) in published:
            item.label = published[str(item.label)]


@hooks.register("register_snippet_action_menu_item")
def moderators_may_decline(model):
    return DeclineMenuItem() if model is FeedbackPublication else None


@hooks.register("construct_snippet_action_menu")
def reviewers_do_not_stop_workflows(menu_items, request, context):
    """No "Cancel workflow" or "Restart workflow" for a reviewer of the step in progress
    (``workflow_messages.may_stop_workflow``; the edit views refuse them too)."""
    instance = context.get("instance")
    if context.get("model") not in (AnswerDraft, FeedbackPublication) or instance is None:
        return
    if not may_stop_workflow(request.user, instance):
        names = {f"action-{action}" for action in STOP_ACTIONS}
        menu_items[:] = [item for item in menu_items if item.name not in names]
    if instance.pk and instance.workflow_in_progress:
        # "Publish" would cancel the review and tell nobody (the handler heard nothing, the
        # case's history showed a cancelled workflow): a reviewer approves instead.
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


@hooks.register("register_admin_viewset")
def register_api_key_viewset():
    return ApiKeyViewSet()


@hooks.register("register_admin_viewset")
def register_feedback_viewset():
    return feedback_viewset


@hooks.register("register_log_actions")
def register_log_actions(actions):
    log_actions.register_log_actions(actions)
    publication_log_actions.register_log_actions(actions)
    answer_log_actions.register_log_actions(actions)
    publication_log_entries.register(actions)
    open311_log_actions.register_log_actions(actions)
    log_actions.register_log_actions(actions, legacy_convert.LOG_ACTIONS)
    log_actions.register_log_actions(actions, insights_log_actions.LOG_ACTIONS)


@hooks.register("register_admin_urls", order=-1)
def register_scoped_snippet_index():
    """Before Wagtail's own ``snippets/`` (the same address, counts as each list shows)."""
    from .staff.views import ScopedSnippetIndexView

    return [path("snippets/", ScopedSnippetIndexView.as_view(), name="palaute_snippet_index")]


@hooks.register("register_admin_urls")
def register_legacy_form_urls():
    return legacy_urls.urlpatterns


hooks.register("construct_homepage_panels", dashboard.add_feedback_panel)
hooks.register("register_palaute_personal_data", publication_personal_data.register)
hooks.register("register_palaute_personal_data", publication_personal_data.register_emails)
hooks.register("register_reports_menu_item", stats_menu.statistics_menu_item)
hooks.register("register_admin_urls", lambda: stats_urls.urlpatterns)
hooks.register("register_permissions", stats_menu.statistics_permissions)

for bulk_action_class in BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action_class)


@hooks.register("register_admin_urls")
def register_insights_urls():
    return [
        path("palaute-tietopyynnot/", insights_views.DataRequestView.as_view(),
             name="palaute_data_requests"),
        path("palaute-sailytys/<int:pk>/", insights_views.LegalHoldView.as_view(),
             name="palaute_legal_hold"),
    ]


class DataRequestMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(insights_views.DATA_REQUEST_PERMISSION)


@hooks.register("register_palaute_personal_data")
def register_form_submission_personal_data():
    from .legacy.personal_data import FormSubmissionPersonalData

    return FormSubmissionPersonalData()


@hooks.register("register_admin_menu_item")
def register_data_request_menu_item():
    return DataRequestMenuItem(_("Data requests"), reverse("palaute_data_requests"),
                               icon_name="user", order=160, name="palaute-data-requests")


@hooks.register("register_permissions")
def register_insights_permissions():
    return Permission.objects.filter(content_type__app_label="palaute_plugin",
                                     codename__in=["set_legal_hold", "handle_data_requests"])
