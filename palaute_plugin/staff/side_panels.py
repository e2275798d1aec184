"""The case screen's side panels: its status, and its history (log entries and emails)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.side_panels import BaseSidePanel


class CaseStatusSidePanel(BaseSidePanel):
    """Where the case stands: status, assignee, due date, links to other cases."""

    class SidePanelToggle(BaseSidePanel.SidePanelToggle):
        aria_label = _("Toggle status")
        icon_name = "info-circle"
        has_counter = False

    name = "status"
    title = _("Status")
    template_name = "palaute_plugin/admin/side_panels/status.html"
    order = 100

    def __init__(self, *args, assignee_name="", inspect_url_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee_name = assignee_name
        self.inspect_url_name = inspect_url_name

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update({"feedback": self.object, "assignee_name": self.assignee_name,
                        "inspect_url_name": self.inspect_url_name,
                        # A side panel's context has no ``perms``.
                        "can_set_legal_hold": self.request.user.has_perm(
                            "palaute_plugin.set_legal_hold")})
        return context


class CaseHistorySidePanel(BaseSidePanel):
    """What happened to the case, oldest first, with each email's delivery state."""

    class SidePanelToggle(BaseSidePanel.SidePanelToggle):
        aria_label = _("Toggle history")
        icon_name = "history"
        has_counter = False

    name = "history"
    title = _("History")
    template_name = "palaute_plugin/admin/side_panels/history.html"
    order = 200

    def __init__(self, *args, timeline=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.timeline = timeline

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["timeline"] = self.timeline
        return context
