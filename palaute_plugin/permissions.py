"""Who sees which feedback: the one place that decides.

Every admin view, export, API endpoint and photo download asks these functions,
so a change to the rule here changes it everywhere. Staff see the categories of
their handler groups and the categories they are responsible for, plus the cases
assigned to them; superusers and holders of ``palaute_plugin.view_all_feedback``
see everything; inactive and anonymous users see nothing.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from wagtail.permission_policies import BasePermissionPolicy

from .models import Feedback, FeedbackCategory

VIEW_ALL_PERMISSION = "palaute_plugin.view_all_feedback"
ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"


def _is_active(user):
    return user is not None and user.is_authenticated and user.is_active


def sees_all_feedback(user):
    """Whether the user sees every category (superusers have every permission)."""
    return _is_active(user) and user.has_perm(VIEW_ALL_PERMISSION)


def visible_categories(user):
    """The categories whose feedback the user may see."""
    if not _is_active(user):
        return FeedbackCategory.objects.none()
    if sees_all_feedback(user):
        return FeedbackCategory.objects.all()
    return FeedbackCategory.objects.filter(
        Q(handler_group__in=user.groups.all()) | Q(responsible_person=user)
    )


def feedback_for_user(user):
    """The cases the user may see: those of visible categories and those assigned to them."""
    if not _is_active(user):
        return Feedback.objects.none()
    if sees_all_feedback(user):
        return Feedback.objects.all()
    return Feedback.objects.filter(
        Q(category__in=visible_categories(user)) | Q(assignee=user)
    )


def can_view_feedback(user, feedback):
    """Whether the user may see this case; the same rule as ``feedback_for_user``."""
    if feedback.pk is None or not _is_active(user):
        return False
    if sees_all_feedback(user):
        return True
    return feedback_for_user(user).filter(pk=feedback.pk).exists()


def feedback_administrators():
    """Active users who see every category: superusers and holders of
    ``view_all_feedback`` (directly or through a group), as Django's model backend
    grants permissions."""
    return ModelBackend().with_perm(VIEW_ALL_PERMISSION, is_active=True,
                                    include_superusers=True)


def handlers_of(categories):
    """Who may be given the cases of ``categories`` (a queryset): the active members
    of their handler groups, their responsible persons and the feedback
    administrators. The ``assign`` action, its form, the bulk assign and the inbox's
    assignee filter all ask this."""
    return (
        get_user_model().objects.filter(
            Q(groups__in=categories.values("handler_group"))
            | Q(pk__in=categories.values("responsible_person"))
            | Q(pk__in=feedback_administrators().values("pk")),
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def may_handle(user, feedback):
    """Whether ``user`` may be given ``feedback`` (see ``handlers_of``)."""
    categories = FeedbackCategory.objects.filter(pk=feedback.category_id)
    return user is not None and handlers_of(categories).filter(pk=user.pk).exists()


MODERATE_PERMISSION = "palaute_plugin.publish_feedbackpublication"


def can_view_photo(user, photo):
    """A case's private photo: for those who may see the case, and for moderators while
    the case has a publication to moderate (they choose which photos become public)."""
    if can_view_feedback(user, photo.feedback):
        return True
    from .models import FeedbackPublication

    return (_is_active(user) and user.has_perm(MODERATE_PERMISSION)
            and FeedbackPublication.objects.filter(feedback_id=photo.feedback_id).exists())


def user_can_access_feedback_admin(user):
    """Whether the user gets the feedback screens of the Wagtail admin at all."""
    if not _is_active(user) or not user.has_perm(ADMIN_ACCESS_PERMISSION):
        return False
    if sees_all_feedback(user):
        return True
    return (
        visible_categories(user).exists()
        or Feedback.objects.filter(assignee=user).exists()
    )


class FeedbackPermissionPolicy(BasePermissionPolicy):
    """Wagtail's permission-policy interface over the helpers above, for generic views.

    It grants only ``view``: whoever may see a case may handle it, and each
    transition in ``actions.py`` checks that itself (``can_view_feedback``) along
    with the case's status, so the policy needs no action names of its own.
    """

    actions = frozenset({"view"})
    permission_cache_name = "_palaute_feedback_admin_access"

    def __init__(self, model=Feedback):
        super().__init__(model)

    def get_all_permissions_for_user(self, user):
        return set(self.actions) if user_can_access_feedback_admin(user) else set()

    def user_has_permission(self, user, action):
        return action in self.get_cached_permissions_for_user(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return action in self.actions and can_view_feedback(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.actions.isdisjoint(actions):
            return Feedback.objects.none()
        return feedback_for_user(user)
