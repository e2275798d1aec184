"""Staff views of cases in the Wagtail admin: the inbox, the case screen, its photos.

Every view narrows what it shows with ``permissions.feedback_for_user`` /
``can_view_feedback``; a case the user may not see answers 404, never 403, so
that its existence does not leak.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import avoid_wrapping
from django.utils.text import Truncator, capfirst
from django.utils.timesince import TIME_STRINGS, timesince, timeuntil
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin.ui.components import MediaContainer
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    NumberColumn,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.widgets.button import Button, ButtonWithDropdown, HeaderButton
from wagtail.models import ModelLogEntry
from wagtail.snippets.views import snippets as snippet_views

from ..insights.log_actions import PERSONAL_DATA_REMOVED
from ..models import (
    DUE_SOON,
    Feedback,
    FeedbackPhoto,
    FeedbackQuerySet,
    Notification,
    language_name,
)
from ..permissions import can_view_photo, feedback_for_user
from ..stats.views import SafeSpreadsheetExportMixin, choice_labels
from .duplicates import nearby_open_cases
from .filters import SEARCH_FIELDS, FeedbackFilterSet, search_q
from .forms import action_form_classes, can_enter_feedback
from .pagination import (
    MAX_LISTED_CASES,
    MAX_SEARCHED_CASES,
    CappedPaginator,
    add_photo_counts,
)
from .side_panels import CaseHistorySidePanel, CaseStatusSidePanel
from .widgets import ReadOnlyLeafletMap

MESSAGE_PREVIEW_CHARS = 80
PHOTO_SIZES = {"full": "image", "thumb": "thumbnail"}


def with_affected_count(queryset):
    """Annotate ``affected_count``: its public record's count ("me too"), else 1."""
    return queryset.annotate(affected_count=Coalesce(F("publication__affected_count"), 1))


class AgeColumn(Column):
    """How long ago the case came in ("3 days"), with the exact time on hover."""

    cell_template_name = "palaute_plugin/admin/index_age_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = context["raw_value"]
        context["age"] = timesince(value, depth=1) if value else ""
        return context


class DueColumn(Column):
    """The due date, marked "overdue" or "due soon" while the case is open."""

    cell_template_name = "palaute_plugin/admin/index_due_cell.html"

    def __init__(self, name, due_soon=DUE_SOON, **kwargs):
        super().__init__(name, **kwargs)
        self.due_soon = due_soon

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["marker"] = instance.due_state(soon=self.due_soon)
        context["time_left"] = time_left(instance)
        return context


def time_left(feedback, now=None):
    """"3 days left" or "2 days late" while the response clock runs (open, unanswered);
    "" otherwise. Sorting the inbox by the due column sorts by it."""
    if not feedback.is_open or feedback.first_response_at or not feedback.due_at:
        return ""
    now = now or timezone.now()
    if feedback.due_at >= now:
        return _("%(time)s left") % {"time": _span(now, feedback.due_at)}
    return _("%(time)s late") % {"time": _span(feedback.due_at, now)}


def _span(earlier, later):
    """From a day up in calendar days ("11 days", not Django's "1 week"; due on the 8th is
    "5 days" on the 3rd, as staff count, not the 4 whole days that are left), else in
    hours or minutes."""
    if later - earlier >= timedelta(days=1):
        days = (timezone.localdate(later) - timezone.localdate(earlier)).days
        return avoid_wrapping(TIME_STRINGS["day"] % {"num": days})
    return timeuntil(later, earlier, depth=1)


class FeedbackIndexView(SafeSpreadsheetExportMixin, IndexView):
    """The inbox: the cases the user may see, newest first, with filters and bulk actions,
    and Wagtail's CSV and XLSX download of what the filters and search list (at most the
    listing's cap, in the listing's order; formula-looking text made inert).

    Override ``get_base_queryset`` to narrow it further (it must stay within
    ``feedback_for_user``), ``columns`` to change what is shown and
    ``filterset_class`` (see ``filters.py``) to change the filters.
    """

    model = Feedback
    any_permission_required = ["view"]
    filterset_class = FeedbackFilterSet
    search_fields = SEARCH_FIELDS
    default_ordering = "-created_at"
    #: Orderings that need more than a field name; the rest are ``Column.sort_key``s.
    #: The due column sorts by time left: the cases whose clock runs first (soonest due
    #: first, or latest), then those answered or closed, whose due time no longer counts.
    orderings = {
        "due_at": (FeedbackQuerySet.clock_stopped(), F("due_at").asc(nulls_last=True)),
        "-due_at": (FeedbackQuerySet.clock_stopped(), F("due_at").desc(nulls_last=True)),
        "status": (FeedbackQuerySet.status_rank().asc(),),
        "-status": (FeedbackQuerySet.status_rank().desc(),),
    }
    paginate_by = 50
    #: The download: the case as the case screen shows it to the same staff member (the
    #: inbox lists only the cases they may handle, contact details included).
    list_export = ["reference", "created_at", "kind", "channel", "group", "category",
                   "status", "assignee", "due_at", "first_response_at", "closed_at",
                   "address", "latitude", "longitude", "affected_count", "message",
                   "contact_name", "contact_email", "contact_phone", "language"]
    export_filename = "palaute"
    #: Counts up to ``max_listed_cases`` (``max_searched_cases`` while searching) and
    #: pages no further.
    paginator_class = CappedPaginator
    max_listed_cases = MAX_LISTED_CASES
    max_searched_cases = MAX_SEARCHED_CASES
    template_name = "palaute_plugin/admin/index.html"
    results_template_name = "palaute_plugin/admin/index_results.html"
    page_title = _("Feedback")
    header_icon = "comment"
    verbose_name = _("feedback")
    verbose_name_plural = _("feedback")
    add_item_label = _("New feedback")

    @cached_property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="feedback"),
            TitleColumn(
                "reference", label=_("Reference"), url_name=self.inspect_url_name,
                sort_key="reference", get_title_id=lambda feedback: f"feedback_{feedback.pk}_title",
            ),
            Column("kind", label=_("Kind"),
                   accessor=lambda feedback: capfirst(feedback.get_kind_display())),
            Column("category", label=_("Category")),
            Column("message", label=_("Message"), accessor=self.message_preview),
            StatusTagColumn(
                "status", label=_("Status"), accessor="get_status_display",
                primary=lambda feedback: feedback.is_open, sort_key="status",
            ),
            Column("assignee", label=_("Assignee"),
                   accessor=lambda feedback: get_user_display_name(feedback.assignee)),
            AgeColumn("created_at", label=_("Age"), sort_key="created_at"),
            DueColumn("due_at", label=_("Due"), sort_key="due_at"),
            NumberColumn("photo_count", label=_("Photos")),
            NumberColumn("affected_count", label=_("Affected"), sort_key="affected_count"),
        ]

    @cached_property
    def no_results_message(self):
        if self.is_searching or self.is_filtering:
            return _("No feedback matches your search or filters.")
        return _("There is no feedback for you to see.")

    @staticmethod
    def message_preview(feedback):
        return Truncator(feedback.message).chars(MESSAGE_PREVIEW_CHARS)

    def get_base_queryset(self):
        return with_affected_count(
            feedback_for_user(self.request.user).select_related("category__parent", "assignee"))

    def search_queryset(self, queryset):
        # A reference is looked up by its prefix, text by substring (filters.search_q).
        return queryset.filter(search_q(self.search_query)) if self.is_searching else queryset

    def get_paginator(self, queryset, per_page, **kwargs):
        max_count = self.max_searched_cases if self.is_searching else self.max_listed_cases
        return self.paginator_class(queryset, per_page, max_count=max_count, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, cases, is_paginated = super().paginate_queryset(queryset, page_size)
        # Photos are counted for the page's rows only, never for the rows an OFFSET skips.
        page.object_list = add_photo_counts(list(page.object_list))
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = context["paginator"]
        if paginator is not None:  # (none for a download)
            context["listing_capped"] = paginator.is_capped
            context["max_listed_cases"] = paginator.max_count
        return context

    def order_queryset(self, queryset):
        # The primary key breaks ties, so that pages stay stable.
        ordering = self.ordering or self.default_ordering
        return queryset.order_by(*self.orderings.get(ordering, (ordering,)), "-pk")

    @cached_property
    def export_headings(self):
        headings = {name: capfirst(Feedback._meta.get_field(name).verbose_name)
                    for name in self.list_export
                    if name not in ("group", "affected_count")}
        headings.update(group=capfirst(_("group")), affected_count=_("Affected"))
        return headings

    @cached_property
    def export_labels(self):
        return choice_labels()

    def as_spreadsheet(self, queryset, spreadsheet_format):
        # At most what the listing would count: a download of a million cases is a
        # backup, not a list (``palaute_backup`` and the statistics export are for that).
        if isinstance(queryset, QuerySet):
            queryset = queryset[:self.max_searched_cases if self.is_searching
                                else self.max_listed_cases]
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def to_row_dict(self, item):
        category = item.category
        group = category.parent if category.parent_id else category
        row = {name: getattr(item, name, "") for name in self.list_export}
        row.update(group=group.name, category=category.name,
                   assignee=get_user_display_name(item.assignee) if item.assignee else "",
                   language=language_name(item.language),
                   **{name: labels.get(row[name], row[name])
                      for name, labels in self.export_labels.items()})
        return row

    def get_add_url(self):
        # Staff entry has its own rule (a category to file under), not the policy's "add".
        if self.add_url_name and can_enter_feedback(self.request.user):
            return reverse(self.add_url_name)
        return None


@dataclass
class TimelineEntry:
    """One line of a case's timeline: a Wagtail log entry or an email."""

    timestamp: datetime
    title: str
    user_name: str = ""
    comment: str = ""
    notification: Notification | None = None
    action: str = ""


def case_timeline(feedback):
    """The case's log entries and emails, oldest first."""
    entries = [
        TimelineEntry(
            timestamp=entry.timestamp, title=entry.message,
            user_name=entry.user_display_name, comment=entry.comment, action=entry.action,
        )
        for entry in ModelLogEntry.objects.for_instance(feedback).select_related("user")
    ]
    entries += [
        TimelineEntry(
            timestamp=notification.created_at, title=notification.subject,
            notification=notification,
        )
        for notification in feedback.notifications.all()
    ]
    return sorted(entries, key=lambda entry: entry.timestamp)


class CaseObjectMixin:
    """The case named by the URL, among those the user may see (404 for the rest).

    The case is looked up when first used, after the permission check of ``dispatch``.
    """

    model = Feedback
    index_url_name = None
    inspect_url_name = None
    action_url_name = None
    photo_url_name = None

    def setup(self, request, *args, **kwargs):
        View.setup(self, request, *args, **kwargs)
        self.pk = kwargs["pk"]
        self.fields = []  # the case's own templates show its fields

    def get_object(self):
        queryset = feedback_for_user(self.request.user).select_related(
            "category__parent", "assignee", "duplicate_of", "redirected_to"
        )
        return get_object_or_404(queryset, pk=self.pk)

    @cached_property
    def object(self):
        return self.get_object()

    def get_page_title(self):
        return _("Feedback")

    def get_page_subtitle(self):
        return self.object.reference

    def get_case_url(self):
        return reverse(self.inspect_url_name, args=[self.object.pk])

    def get_action_url(self, name):
        return reverse(self.action_url_name, args=[self.object.pk, name])


class FeedbackInspectView(CaseObjectMixin, InspectView):
    """One case on one screen: what the resident wrote, where and with which photos.

    The actions the user may take now are header buttons (``header_action_names``
    first, the rest under "More actions"); each opens its form on its own screen
    (``case_views.FeedbackActionView``). The status and history are side panels.
    Override ``get_side_panels`` or ``header_action_names`` to change them.
    """

    any_permission_required = ["view"]
    template_name = "palaute_plugin/admin/feedback_detail.html"
    #: Actions shown as buttons of their own in the header, in this order.
    header_action_names = ("take", "reply", "resolve", "reopen")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Feedback")},
            {"url": "", "label": self.object.reference},
        ]

    @cached_property
    def action_forms(self):
        """The form classes of the actions the user may take now (``forms.ACTION_FORMS``)."""
        return action_form_classes(self.object, self.request.user)

    @cached_property
    def button_forms(self):
        """The one-button actions' forms, which the case screen holds for its header."""
        return [form_class(feedback=self.object, user=self.request.user)
                for form_class in self.action_forms if not form_class.asks_for_input()]

    def action_button(self, form, priority):
        if not form.asks_for_input():
            # Submits the case screen's small form of the action, without JavaScript too.
            return HeaderButton(form.submit_label, icon_name=form.icon_name, priority=priority,
                                attrs={"type": "submit", "form": f"palaute-action-{form.name}"})
        return HeaderButton(form.label, url=self.get_action_url(form.name),
                            icon_name=form.icon_name, priority=priority)

    @cached_property
    def labelled_forms(self):
        """The available actions' forms, the one-button ones as instances (their wording
        may depend on the case, e.g. "Take" or "Start handling")."""
        by_name = {form.name: form for form in self.button_forms}
        return [by_name.get(form.name, form) for form in self.action_forms]

    def get_header_action_names(self):
        """``header_action_names``, without "take" for a case a colleague handles: taking
        it over is in "More actions", not the first thing offered."""
        names = self.header_action_names
        if self.object.assignee_id not in (None, self.request.user.pk):
            names = tuple(name for name in names if name != "take")
        return names

    @cached_property
    def header_buttons(self):
        by_name = {form.name: form for form in self.labelled_forms}
        return [self.action_button(by_name[name], priority)
                for priority, name in enumerate(self.get_header_action_names())
                if name in by_name]

    @cached_property
    def header_more_buttons(self):
        return [
            Button(form.label, url=self.get_action_url(form.name), icon_name=form.icon_name,
                   priority=priority)
            for priority, form in enumerate(self.labelled_forms)
            if form.name not in self.get_header_action_names()
        ]

    def get_header_buttons(self):
        buttons = sorted(self.header_buttons)
        if self.header_more_buttons:
            buttons.append(ButtonWithDropdown(
                buttons=self.header_more_buttons, label=_("More actions"),
                icon_name="dots-horizontal", classname="w-h-slim-header",
                # As Wagtail's own menu: closed when the breadcrumbs open or close.
                attrs={"data-action": "w-breadcrumbs:opened@document->w-dropdown#hide "
                                      "w-breadcrumbs:closed@document->w-dropdown#hide"},
            ))
        return buttons

    @cached_property
    def timeline(self):
        return case_timeline(self.object)

    def get_side_panels(self):
        return MediaContainer([
            CaseStatusSidePanel(self.object, self.request,
                                assignee_name=get_user_display_name(self.object.assignee),
                                inspect_url_name=self.inspect_url_name),
            CaseHistorySidePanel(self.object, self.request, timeline=self.timeline),
        ])

    def get_map(self):
        if not self.object.has_location:
            return None
        return ReadOnlyLeafletMap()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        feedback = self.object
        location_map = self.get_map()
        side_panels = self.get_side_panels()
        context.update({
            "feedback": feedback,
            "photos": list(feedback.photos.all()),
            "inspect_url_name": self.inspect_url_name,
            "photo_url_name": self.photo_url_name,
            "map_html": location_map and location_map.render(
                "location", feedback.location, attrs={"id": "palaute-location"}
            ),
            "media": (location_map.media if location_map else forms.Media())
                     + side_panels.media,
            "side_panels": side_panels,
            "assignee_name": get_user_display_name(feedback.assignee),
            "timeline": self.timeline,
            # After an erasure "the resident left no contact details" was untrue.
            "contact_erased_at": next((entry.timestamp for entry in reversed(self.timeline)
                                       if entry.action == PERSONAL_DATA_REMOVED), None),
            "action_forms": self.action_forms,
            "button_forms": self.button_forms,
            "action_links": [(form, self.get_action_url(form.name))
                             for form in self.labelled_forms],
            "action_url_name": self.action_url_name,
            "nearby_cases": nearby_open_cases(feedback, self.request.user),
            "already_known_url": (self.get_action_url("already_known")
                                  if "already_known" in {f.name for f in self.action_forms}
                                  else ""),
        })
        return context


class FeedbackPhotoView(View):
    """A case's photo from private storage, for those who may see the case."""

    def get(self, request, pk, size):
        if size not in PHOTO_SIZES:
            raise Http404
        photo = get_object_or_404(FeedbackPhoto.objects.select_related("feedback"), pk=pk)
        if not can_view_photo(request.user, photo):
            raise Http404
        file = getattr(photo, PHOTO_SIZES[size])
        if not file:
            raise Http404
        try:
            handle = file.open("rb")
        except OSError as error:
            raise Http404 from error
        return self.file_response(photo, size, handle)

    def file_response(self, photo, size, handle):
        # Every stored photo is a JPEG written by photos.images.clean_photo.
        filename = f"{photo.feedback.reference}-{photo.sort_order + 1}-{size}.jpg"
        response = FileResponse(
            handle,
            content_type="image/jpeg",
            as_attachment=False,
            filename=filename,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ScopedSnippetIndexView(snippet_views.ModelIndexView):
    """Wagtail's list of snippet types, each counted as its own list counts it: a handler
    read "Publications 8" while their list held 5 (the others' categories; acceptance test
    2026-12-03)."""

    def _get_snippet_types(self):
        types = super()._get_snippet_types()
        for snippet_type in types:
            scoped = snippet_type["model"].snippet_viewset.get_queryset(self.request)
            if scoped is not None:
                snippet_type["count"] = scoped.count()
        return types
