"""Who may do what with answers awaiting approval, decided by the categories.

Nobody adds one by hand (``approval.submit`` does, from a case action). Handlers of
categories whose answers need approval edit, resubmit and withdraw their answers;
the categories' approver groups approve (``publish``). Which answers each of them
reaches is decided per answer (``approval.answers_for_user``: others get 404).
"""

from wagtail.permission_policies import BasePermissionPolicy

from ..permissions import can_view_feedback
from .models import AnswerDraft

APPROVER_ACTIONS = frozenset({"publish", "unpublish"})
HANDLER_ACTIONS = frozenset({"view", "change", "delete", "lock", "unlock"})
APPROVER_EDITS = frozenset({"view", "change"})


class AnswerPermissionPolicy(BasePermissionPolicy):
    permission_cache_name = "_palaute_answer_permissions"

    def __init__(self, model=AnswerDraft):
        super().__init__(model)

    def get_all_permissions_for_user(self, user):
        from . import approval

        if not (user.is_active and user.is_authenticated):
            return set()
        if user.is_superuser:
            return set(APPROVER_ACTIONS | HANDLER_ACTIONS)
        permissions = set()
        if approval.may_approve_any(user):
            # An approver reads and may correct the text; withdrawing (deleting) the
            # answer and locking it are its writer's side's.
            permissions |= APPROVER_ACTIONS | APPROVER_EDITS
        if approval.handles_approved_answers(user):
            permissions |= HANDLER_ACTIONS
        return permissions

    def user_has_permission(self, user, action):
        return action in self.get_cached_permissions_for_user(user)

    def users_with_any_permission(self, actions):
        from . import approval

        if not set(actions) & (APPROVER_ACTIONS | HANDLER_ACTIONS):
            return approval.users_concerned().none()
        return approval.users_concerned()

    def user_has_permission_for_instance(self, user, action, instance):
        from . import approval

        if not self.user_has_permission(user, action):
            return False
        if action in APPROVER_ACTIONS:
            return approval.approvable_by(user).filter(pk=instance.pk).exists()
        if action not in APPROVER_EDITS:
            # Withdrawing and locking are for those who handle the answer's case, not its
            # approvers (who may handle another category's cases).
            return can_view_feedback(user, instance.feedback)
        return approval.can_view_answer(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        from . import approval

        if not any(self.user_has_permission(user, action) for action in actions):
            return AnswerDraft.objects.none()
        return approval.answers_for_user(user)
