"""Registers the feedback admin with Wagtail; the views live in viewsets.py."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from . import log_actions
from .models import Feedback
from .permissions import FeedbackPermissionPolicy
from .places.viewsets import PlaceViewSet
from .publication import log_actions as publication_log_actions
from .publication.models import FeedbackPublication
from .publication.permissions import PublicationPermissionPolicy
from .publication.viewsets import FeedbackPublicationViewSet
from .staff import dashboard
from .staff.bulk_actions import BULK_ACTIONS
from .staff.viewsets import (
    FeedbackCategoryViewSet,
    OtherAuthorityViewSet,
    ResponseTemplateViewSet,
    feedback_viewset,
)

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


@hooks.register("register_admin_viewset")
def register_feedback_viewset():
    return feedback_viewset


@hooks.register("register_log_actions")
def register_log_actions(actions):
    log_actions.register_log_actions(actions)
    publication_log_actions.register_log_actions(actions)


hooks.register("construct_homepage_panels", dashboard.add_feedback_panel)

for bulk_action_class in BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action_class)
