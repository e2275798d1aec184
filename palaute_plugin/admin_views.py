"""Staff views of cases in the Wagtail admin: the index, one case, its photos.

Every view narrows what it shows with ``permissions.feedback_for_user`` /
``can_view_feedback``; a case the user may not see answers 404, never 403, so
that its existence does not leak.
"""

from dataclasses import dataclass
from datetime import datetime

import django_filters
from django import forms
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.models import ModelLogEntry

from .admin_widgets import ReadOnlyLeafletMap
from .models import Feedback, FeedbackPhoto, Notification
from .permissions import (
    FeedbackPermissionPolicy,
    can_view_feedback,
    feedback_for_user,
    visible_categories,
)

MESSAGE_PREVIEW_CHARS = 80
PHOTO_SIZES = {"full": "image", "thumb": "thumbnail"}
PHOTO_CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
                       "webp": "image/webp"}


def user_display_name(user):
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def with_photo_count(queryset):
    """Annotate ``photo_count`` with a subquery, so later joins cannot multiply it."""
    photo_counts = (
        FeedbackPhoto.objects.filter(feedback=OuterRef("pk"))
        .values("feedback")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        photo_count=Coalesce(Subquery(photo_counts, output_field=IntegerField()), 0)
    )


def categories_for_request(request):
    if request is None:
        return visible_categories(None)
    return visible_categories(request.user).select_related("parent")


class FeedbackFilterSet(WagtailFilterSet):
    """Basic filters; the full inbox filters are the handling workflow's."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Feedback.Status.choices, widget=forms.RadioSelect,
        empty_label=_("All"),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=categories_for_request
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Feedback.Kind.choices, widget=forms.RadioSelect,
        empty_label=_("All"),
    )

    class Meta:
        model = Feedback
        fields = ["status", "category", "kind"]


class FeedbackIndexView(IndexView):
    """The cases the user may see, newest first.

    Override ``get_base_queryset`` to narrow it further (it must stay within
    ``feedback_for_user``) and ``columns`` to change what is shown.
    """

    model = Feedback
    permission_policy = FeedbackPermissionPolicy()
    any_permission_required = ["view"]
    filterset_class = FeedbackFilterSet
    search_fields = ["reference", "message", "address"]
    default_ordering = "-created_at"
    paginate_by = 50
    page_title = _("Feedback")
    header_icon = "comment"
    verbose_name = _("feedback")
    verbose_name_plural = _("feedback")
    detail_url_name = None

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "reference", label=_("Reference"), url_name=self.detail_url_name,
                sort_key="reference",
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
                   accessor=lambda feedback: user_display_name(feedback.assignee)),
            DateColumn("created_at", label=_("Received"), sort_key="created_at"),
            NumberColumn("photo_count", label=_("Photos")),
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
        queryset = feedback_for_user(self.request.user).select_related(
            "category__parent", "assignee"
        )
        return with_photo_count(queryset)

    def order_queryset(self, queryset):
        # The newest first, with the primary key keeping pages stable.
        ordering = self.ordering or self.default_ordering
        return queryset.order_by(ordering, "-pk")


@dataclass
class TimelineEntry:
    """One line of a case's timeline: a Wagtail log entry or an email."""

    timestamp: datetime
    title: str
    user_name: str = ""
    comment: str = ""
    notification: Notification | None = None


def case_timeline(feedback):
    """The case's log entries and emails, oldest first."""
    entries = [
        TimelineEntry(
            timestamp=entry.timestamp, title=entry.message,
            user_name=entry.user_display_name, comment=entry.comment,
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


class FeedbackDetailView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """One case on one screen; the handling actions will be added beside it."""

    model = Feedback
    permission_policy = FeedbackPermissionPolicy()
    permission_required = "view"
    template_name = "palaute_plugin/admin/feedback_detail.html"
    header_icon = "comment"
    index_url_name = None
    detail_url_name = None
    photo_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.pk = kwargs["pk"]

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

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Feedback")},
            {"url": "", "label": self.object.reference},
        ]

    def get_map(self):
        if not self.object.has_location:
            return None
        return ReadOnlyLeafletMap()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        feedback = self.object
        location_map = self.get_map()
        context.update({
            "feedback": feedback,
            "photos": list(feedback.photos.all()),
            "detail_url_name": self.detail_url_name,
            "photo_url_name": self.photo_url_name,
            "map_html": location_map and location_map.render(
                "location", feedback.location, attrs={"id": "palaute-location"}
            ),
            "media": location_map.media if location_map else forms.Media(),
            "timeline": case_timeline(feedback),
            "assignee_name": user_display_name(feedback.assignee),
        })
        return context


class FeedbackPhotoView(View):
    """A case's photo from private storage, for those who may see the case."""

    def get(self, request, pk, size):
        if size not in PHOTO_SIZES:
            raise Http404
        photo = get_object_or_404(FeedbackPhoto.objects.select_related("feedback"), pk=pk)
        if not can_view_feedback(request.user, photo.feedback):
            raise Http404
        file = getattr(photo, PHOTO_SIZES[size])
        if not file:
            raise Http404
        try:
            handle = file.open("rb")
        except OSError as error:
            raise Http404 from error
        return self.file_response(photo, size, handle, file.name)

    def file_response(self, photo, size, handle, name):
        extension = name.rsplit(".", 1)[-1].lower()
        if extension not in PHOTO_CONTENT_TYPES:
            extension = "jpg"
        filename = f"{photo.feedback.reference}-{photo.sort_order + 1}-{size}.{extension}"
        response = FileResponse(
            handle,
            content_type=PHOTO_CONTENT_TYPES[extension],
            as_attachment=False,
            filename=filename,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
