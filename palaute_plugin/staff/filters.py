"""The inbox's filters and search: how staff narrow down the cases they may see.

The conditions are plain ``Q`` builders (``status_q``, ``assignee_q``, and
``FeedbackQuerySet``'s case rules) so that the dashboard counts exactly what the
inbox lists behind its links. ``FeedbackFilterSet`` only narrows a queryset it is given; what a user
may see at all is ``permissions.feedback_for_user``'s decision.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.utils import get_user_display_name

from ..conf import palaute_setting
from ..models import Feedback, FeedbackCategory, FeedbackPhoto, FeedbackQuerySet
from ..permissions import handlers_of, visible_categories

#: Searched with ``icontains`` by the inbox's search box (PostgreSQL serves it from
#: trigram indexes, migration 0003); a reference-shaped query searches ``reference`` only.
SEARCH_FIELDS = ["reference", "message", "address"]
#: A reference without its prefix (``models.ReferenceSequence.next_reference``):
#: ``2026-00042``, or its beginning, ``2026-000``.
REFERENCE_SHAPE = re.compile(r"\d{4}-\d*")
#: A search for one email address is a search for the resident's cases by it.
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# Not "open"/"closed": "closed" is itself a status.
OPEN = "all_open"
CLOSED = "all_closed"
#: Open and no longer new: someone has started handling it.
STARTED = "all_started"
ME = "me"
UNASSIGNED = "unassigned"
YES = "true"
NO = "false"


def status_choices():
    return [(OPEN, _("All open")), (STARTED, _("Open, handling started")),
            (CLOSED, _("All closed"))] + [
        (value, capfirst(label)) for value, label in Feedback.Status.choices
    ]


def yes_no_choices():
    return [(YES, _("Yes")), (NO, _("No"))]


def status_q(value):
    """Cases with the status ``value``, or any open, started or closed one."""
    if value == OPEN:
        return FeedbackQuerySet.open_q()
    if value == CLOSED:
        return ~FeedbackQuerySet.open_q()
    if value == STARTED:
        return FeedbackQuerySet.open_q() & ~Q(status=Feedback.Status.NEW)
    return Q(status=value)


def assignee_q(value, user):
    """Cases assigned to ``user`` (``"me"``), to nobody, or to the user with pk ``value``."""
    if value == ME:
        return Q(assignee=user)
    if value == UNASSIGNED:
        return Q(assignee__isnull=True)
    return Q(assignee_id=value)


def has_photos_q():
    return Exists(FeedbackPhoto.objects.filter(feedback=OuterRef("pk")))


def reference_q(query):
    """Cases whose reference starts with ``query``, when it looks like one, else None.

    The prefix may be left out or typed in any case. PostgreSQL serves it from an
    index on ``UPPER(reference)`` (migration 0003), whatever the table's size."""
    query = query.strip()
    prefix = palaute_setting("REFERENCE_PREFIX")
    number = query[len(prefix):] if query.upper().startswith(prefix.upper()) else query
    if not REFERENCE_SHAPE.fullmatch(number):
        return None
    condition = Q(reference__istartswith=prefix + number)
    if prefix:  # references given before the prefix was set have none
        condition |= Q(reference__istartswith=number)
    return condition


#: Words of a search that are each looked for (the rest are ignored).
MAX_SEARCH_WORDS = 8
#: The shortest word looked for on its own: a trigram.
MIN_INDEXED_WORD = 3


def search_q(query, fields=SEARCH_FIELDS):
    """The inbox's search: a reference by its beginning, a resident's email address whole,
    anything else by substring, each word on its own ("auraamatta keskustaan" finds a
    message with both words apart; it looked for the two as one piece of text). Every
    word is matched in any field."""
    by_reference = reference_q(query)
    if by_reference is not None:
        return by_reference
    if EMAIL_SHAPE.fullmatch(query.strip()):
        # A resident on the phone gives their address: their cases, whatever their case
        # of letters (``palaute_feedback_email_idx`` on PostgreSQL).
        return Q(contact_email__iexact=query.strip())
    words = query.split()[:MAX_SEARCH_WORDS]
    # A word shorter than a trigram cannot use PostgreSQL's trigram indexes (a scan of
    # the table): left out beside longer ones ("auraamatta ja keskustaan"); a search of
    # short words only is looked for as typed, as one piece of text ("A 5").
    long_words = [word for word in words if len(word) >= MIN_INDEXED_WORD]
    words = long_words or [query.strip()]
    condition = Q()
    for word in words:
        matches = Q()
        for field in fields:
            matches |= Q(**{f"{field}__icontains": word})
        condition &= matches
    return condition


def user_for_request(request):
    return request.user if request is not None else None


def categories_for_request(request):
    return visible_categories(user_for_request(request)).select_related("parent")


def category_and_children_ids(category):
    """The primary keys of ``category`` and of the categories under it."""
    return [category.pk, *FeedbackCategory.objects.filter(parent=category)
            .values_list("pk", flat=True)]


class CategoryChoiceFilter(django_filters.ModelChoiceFilter):
    """A category, or a group with the categories under it."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        # Ids resolved first: one indexed ``category_id IN (...)``, no OR across a join.
        return queryset.filter(category__in=category_and_children_ids(value))


class OrderedDateRangeField(DateRangeField):
    """A date range whose start is not after its end. An inverted range would list no
    cases without saying why: it is an error on the filter instead (Wagtail then
    ignores the filters and lists every case)."""

    def compress(self, data_list):
        if data_list:
            start, end = data_list
            if start and end and start > end:
                raise ValidationError(
                    _("The start date %(start)s is after the end date %(end)s."),
                    code="inverted", params={"start": date_format(start, "SHORT_DATE_FORMAT"),
                                             "end": date_format(end, "SHORT_DATE_FORMAT")})
        return super().compress(data_list)


class OrderedDateRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = OrderedDateRangeField


class FeedbackFilterSet(WagtailFilterSet):
    """The inbox's filters. Add a filter as a class attribute (and to ``Meta.fields``);
    the choices that depend on the user are filled in ``__init__``."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=status_choices, method="filter_status",
        empty_label=_("All"),
    )
    category = CategoryChoiceFilter(
        label=_("Category"), queryset=categories_for_request, empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), widget=forms.RadioSelect, empty_label=_("All"),
        choices=[(value, capfirst(label)) for value, label in Feedback.Kind.choices],
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), empty_label=_("All"),
        choices=[(value, capfirst(label)) for value, label in Feedback.Channel.choices],
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Assignee"), method="filter_assignee", empty_label=_("Anyone"),
    )
    received = OrderedDateRangeFilter(
        label=_("Received"), field_name="created_at", widget=DateRangePickerWidget,
    )
    # Yes/no choices rather than BooleanFilter, so the active filter reads "Yes", not "True".
    has_photos = django_filters.ChoiceFilter(
        label=_("Has photos"), method="filter_has_photos", choices=yes_no_choices,
        widget=forms.RadioSelect, empty_label=_("All"),
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"), method="filter_overdue", choices=yes_no_choices,
        widget=forms.RadioSelect, empty_label=_("All"),
    )
    due_soon = django_filters.ChoiceFilter(
        label=_("Due soon"), method="filter_due_soon", choices=yes_no_choices,
        widget=forms.RadioSelect, empty_label=_("All"),
    )

    class Meta:
        model = Feedback
        fields = ["status", "category", "kind", "channel", "assignee", "received",
                  "has_photos", "overdue", "due_soon"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # A callable: the people are only looked up if the form is validated or shown.
        self.filters["assignee"].extra["choices"] = lambda: self.assignee_choices

    @cached_property
    def assignee_choices(self):
        user = user_for_request(self.request)
        people = handlers_of(visible_categories(user))
        return [(ME, _("Me")), (UNASSIGNED, _("Unassigned"))] + [
            (str(person.pk), get_user_display_name(person)) for person in people
        ]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value)) if value else queryset

    def filter_assignee(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(assignee_q(value, user_for_request(self.request)))

    def filter_has_photos(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(has_photos_q() if value == YES else ~has_photos_q())

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        if value == YES:
            return queryset.overdue()
        return queryset.exclude(FeedbackQuerySet.overdue_q())

    def filter_due_soon(self, queryset, name, value):
        if not value:
            return queryset
        if value == YES:
            return queryset.filter(FeedbackQuerySet.due_soon_q())
        return queryset.exclude(FeedbackQuerySet.due_soon_q())


def filter_listing(queryset, request):
    """The cases of ``queryset`` that the inbox shows for ``request.GET``'s filters and
    search; used when a bulk action is applied to "all in listing"."""
    filters = FeedbackFilterSet(request.GET, queryset=queryset, request=request)
    if filters.is_valid():
        queryset = filters.qs
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(search_q(query))
    return queryset

