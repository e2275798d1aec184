"""Who may do what with publications, as a Wagtail permission policy.

Django's model permissions decide (moderators: change and publish; handlers:
change), except that nobody adds one by hand: a publication is only made by
proposing a case (``actions.propose``), which links it to its case.
"""

from wagtail.permission_policies import ModelPermissionPolicy


class PublicationPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action != "add"]
        if not actions:
            return super().users_with_any_permission(["__none__"]).none()
        return super().users_with_any_permission(actions)
