"""The feedback panel on the Wagtail admin's home page: what needs the user now.

Each section is the inbox with a set of filters: its count and short list use the
same conditions as ``filters.py`` (the case rules of ``FeedbackQuerySet``), so
following its link shows the same cases.
Add a section by overriding ``FeedbackDashboardPanel.get_sections``; the counts are
of open cases only, so a section's ``condition`` must imply ``FeedbackQuerySet.open_q``.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from ..models import Feedback, FeedbackQuerySet
from ..permissions import feedback_for_user, user_can_access_feedback_admin
from . import filters
from .viewsets import feedback_viewset


@dataclass
class Section:
    """One list of the panel: the inbox filtered by ``params`` (``condition`` in SQL)."""

    key: str
    heading: str
    condition: Q
    params: dict
    ordering: tuple = ("-created_at", "-pk")
    count: int = 0
    cases: list = field(default_factory=list)

    @property
    def url(self):
        query = QueryDict(mutable=True)
        query.update(self.params)
        index_url = reverse(feedback_viewset.get_url_name("index"))
        return f"{index_url}?{query.urlencode()}"


class FeedbackDashboardPanel(Component):
    name = "palaute_feedback"
    template_name = "palaute_plugin/admin/dashboard_panel.html"
    order = 50  # above Wagtail's own panels
    list_length = 5

    def __init__(self, request):
        self.request = request

    def get_sections(self, user, now):
        by_due_date = (F("due_at").asc(nulls_last=True), "-pk")
        return [
            Section("new", _("New in my categories"), filters.status_q(Feedback.Status.NEW),
                    {"status": Feedback.Status.NEW}),
            # New cases are assigned to the category's responsible person at once: "mine"
            # lists those they have started, so that it does not repeat "new".
            Section("mine", _("Mine, handling started"),
                    filters.status_q(filters.STARTED) & filters.assignee_q(filters.ME, user),
                    {"status": filters.STARTED, "assignee": filters.ME, "ordering": "due_at"},
                    ordering=by_due_date),
            Section("due_soon", _("Due soon"), FeedbackQuerySet.due_soon_q(now),
                    {"due_soon": filters.YES, "ordering": "due_at"}, ordering=by_due_date),
            Section("overdue", _("Overdue"), FeedbackQuerySet.overdue_q(now),
                    {"overdue": filters.YES, "ordering": "due_at"}, ordering=by_due_date),
        ]

    def get_context_data(self, parent_context):
        user = self.request.user
        cases = feedback_for_user(user)
        now = timezone.now()
        sections = self.get_sections(user, now)
        # Every section is of open cases: counting only those reads the partial index of
        # open cases (Feedback.Meta.indexes), not the whole history.
        counts = cases.filter(FeedbackQuerySet.open_q()).aggregate(**{
            # COUNT(status), not COUNT(id): a column of that index (never null), so the
            # index alone answers (Django refuses COUNT(*) with a filter).
            section.key: Count("status", filter=section.condition) for section in sections
        })
        for section in sections:
            section.count = counts[section.key]
            if section.count:
                section.cases = self.short_list(cases.filter(section.condition), section, now)
        return {"sections": sections, "inspect_url_name": feedback_viewset.get_url_name("inspect")}

    def short_list(self, cases, section, now):
        cases = list(cases.select_related("category__parent")
                     .order_by(*section.ordering)[: self.list_length])
        for case in cases:
            case.due_marker = case.due_state(now)
        return cases


def add_feedback_panel(request, panels):
    """The ``construct_homepage_panels`` hook: the panel, for those who handle feedback."""
    if user_can_access_feedback_admin(request.user):
        panels.append(FeedbackDashboardPanel(request))
