"""The feedback domain: categories, other authorities, the page, cases, photos."""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, router, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, NullIf, Upper
from django.utils import timezone
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from .conf import palaute_setting
from .photos.storage import photo_storage
from .workdays import add_working_days

LANGUAGE_CHOICES = [("fi", "suomi"), ("sv", "svenska"), ("en", "English")]


def language_name(code):
    """A resident's language named in the staff member's, as written inside a sentence:
    ``en`` → "englanti" in Finnish, "engelska" in Swedish (Django's Swedish catalogue
    capitalises the names: "på Svenska"), "English" in English."""
    name = get_language_info(code)["name_translated"]
    return name.lower() if current_language() in ("fi", "sv") else name


def current_language():
    """The active language reduced to one of fi/sv/en (fi when unknown)."""
    code = (get_language() or "fi")[:2]
    return code if code in dict(LANGUAGE_CHOICES) else "fi"


class TranslatedField:
    """Reads ``<name>_<lang>`` for the active language, falling back to Finnish."""

    def __init__(self, base_name):
        self.base_name = base_name

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return self.for_language(instance, current_language())

    def for_language(self, instance, language):
        value = getattr(instance, f"{self.base_name}_{language}", "")
        return value or getattr(instance, f"{self.base_name}_fi")


class OtherAuthority(models.Model):
    """An authority outside the city that residents can be directed to."""

    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    handles_fi = models.TextField(
        _("what it handles, in Finnish"), blank=True,
        help_text=_("Shown to residents, e.g. 'State roads E4 and E8'."),
    )
    handles_sv = models.TextField(_("what it handles, in Swedish"), blank=True)
    handles_en = models.TextField(_("what it handles, in English"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    name = TranslatedField("name")
    handles = TranslatedField("handles")

    panels = [
        MultiFieldPanel(
            [FieldPanel("name_fi"), FieldPanel("name_sv"), FieldPanel("name_en")], _("Name")
        ),
        MultiFieldPanel(
            [FieldPanel("handles_fi"), FieldPanel("handles_sv"), FieldPanel("handles_en")],
            _("What it handles"),
        ),
        FieldPanel("website"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
    ]

    class Meta:
        verbose_name = _("other authority")
        verbose_name_plural = _("other authorities")
        ordering = ["name_fi"]

    def __str__(self):
        return self.name


class FeedbackCategoryQuerySet(models.QuerySet):
    """The rules about which categories take feedback, for querysets and instances alike."""

    @staticmethod
    def accepting_feedback_q():
        """Active and the city's own: not handled by another authority."""
        return Q(active=True, other_authority__isnull=True)

    def active(self):
        """What residents may choose, including those of other authorities (shown with
        the authority's contacts instead of a form)."""
        return self.filter(active=True)

    def accepting_feedback(self):
        """The categories a case can be filed under or moved to (a group with active
        categories under it is only a heading, as on the resident's form)."""
        active_children = FeedbackCategory.objects.filter(parent=OuterRef("pk"), active=True)
        return self.filter(self.accepting_feedback_q()).exclude(Exists(active_children))


class FeedbackCategory(models.Model):
    """What residents choose; routes each case to its handlers."""

    class LocationMode(models.TextChoices):
        OPTIONAL = "optional", _("optional")
        REQUIRED = "required", _("required")
        HIDDEN = "hidden", _("not asked")

    name_fi = models.CharField(_("name in Finnish"), max_length=150)
    name_sv = models.CharField(_("name in Swedish"), max_length=150, blank=True)
    name_en = models.CharField(_("name in English"), max_length=150, blank=True)
    description_fi = models.TextField(_("description in Finnish"), blank=True)
    description_sv = models.TextField(_("description in Swedish"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The top-level group this category is shown under, e.g. Traffic."),
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible person"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("New feedback is assigned to this person, who is notified at once."),
    )
    handler_group = models.ForeignKey(
        "auth.Group", verbose_name=_("handler group"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Members of this group may see and handle this category's feedback."),
    )
    answer_approvers = models.ForeignKey(
        "auth.Group", verbose_name=_("answers approved by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("For sensitive services: when set, replies and the texts of resolving and "
                    "closing reach the resident only after a member of this group approves "
                    "them. Leave empty to send answers at once."),
    )
    notification_emails = models.TextField(
        _("notification addresses"), blank=True,
        help_text=_("Extra email addresses told of new feedback, one per line."),
    )
    location_mode = models.CharField(
        _("location"), max_length=10, choices=LocationMode.choices,
        default=LocationMode.OPTIONAL,
    )
    photos_enabled = models.BooleanField(_("photos asked for"), default=True)
    expected_response_days = models.PositiveSmallIntegerField(
        _("expected response time in days"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Working days: weekends and Finnish public holidays are not counted."),
    )
    supervisor_email = models.EmailField(
        _("supervisor's address"), blank=True,
        help_text=_("Told with the responsible person when a case is overdue (escalation)."),
    )
    other_authority = models.ForeignKey(
        OtherAuthority, verbose_name=_("handled by another authority"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="categories",
        help_text=_(
            "If set, this is not the city's responsibility: residents are shown "
            "this authority's contacts instead of a form."
        ),
    )
    service_code = models.SlugField(
        _("service code"), max_length=60, unique=True,
        help_text=_("Stable identifier for the Open311 API, e.g. 'street-lighting'."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.IntegerField(_("order"), default=0)

    objects = FeedbackCategoryQuerySet.as_manager()

    name = TranslatedField("name")
    description = TranslatedField("description")

    edit_handler = TabbedInterface([
        ObjectList([
            MultiFieldPanel(
                [FieldPanel("name_fi"), FieldPanel("name_sv"), FieldPanel("name_en")],
                _("Name"),
            ),
            MultiFieldPanel(
                [FieldPanel("description_fi"), FieldPanel("description_sv"),
                 FieldPanel("description_en")],
                _("Description"),
            ),
            FieldPanel("parent"),
            FieldRowPanel([FieldPanel("active"), FieldPanel("sort_order")]),
            FieldPanel("service_code"),
        ], heading=_("Category")),
        ObjectList([
            FieldPanel("responsible_person"),
            FieldPanel("handler_group"),
            FieldPanel("answer_approvers"),
            FieldPanel("notification_emails"),
            FieldPanel("expected_response_days"),
            FieldPanel("supervisor_email"),
            FieldPanel("other_authority"),
        ], heading=_("Handling")),
        ObjectList([
            FieldPanel("location_mode"),
            FieldPanel("photos_enabled"),
        ], heading=_("Form")),
    ])

    class Meta:
        verbose_name = _("feedback category")
        verbose_name_plural = _("feedback categories")
        ordering = ["sort_order", "name_fi"]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name} › {self.name}"
        return self.name

    @property
    def accepts_feedback(self):
        """``FeedbackCategoryQuerySet.accepting_feedback`` for one category."""
        return (self.active and self.other_authority_id is None
                and not self.children.filter(active=True).exists())

    def due_time(self, start):
        """When a case received at ``start`` is due: ``expected_response_days`` working
        days later (``workdays.add_working_days``)."""
        return add_working_days(start, self.expected_response_days)

    def notification_address_list(self):
        return [line.strip() for line in self.notification_emails.splitlines() if line.strip()]


class FeedbackPage(RoutablePageMixin, Page):
    """The page residents use: the form, the receipt and the private status page."""

    intro = RichTextField(_("introduction"), blank=True)
    next_steps = RichTextField(
        _("what happens next"), blank=True,
        help_text=_("Shown on the receipt after the feedback is sent."),
    )
    contact_help = models.CharField(
        _("contact details help text"), max_length=300, blank=True,
        help_text=_("Shown above the optional contact fields."),
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("privacy notice page"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    privacy_url = models.URLField(
        _("privacy notice address"), blank=True,
        help_text=_("Used when the privacy notice is not a page of this site."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("next_steps"),
        FieldPanel("contact_help"),
        MultiFieldPanel([FieldPanel("privacy_page"), FieldPanel("privacy_url")],
                        _("Privacy notice")),
    ]
    subpage_types = []

    class Meta:
        verbose_name = _("feedback page")

    @path("")
    def form_view(self, request):
        from .public.views import feedback_form_view

        return feedback_form_view(request, self)

    @path("receipt/<str:token>/")
    def receipt_view(self, request, token):
        from .public.views import receipt_view

        return receipt_view(request, self, token)

    @path("status/<str:token>/")
    def status_view(self, request, token):
        from .public.views import status_view

        return status_view(request, self, token)

    @path("status/<str:token>/kuvat/<int:pk>/<str:size>/")
    def status_photo_view(self, request, token, pk, size):
        from .public.views import status_photo_view

        return status_photo_view(request, self, token, pk, size)

    @path("lomakekuvat/<int:pk>/")
    def kept_photo_view(self, request, pk):
        from .public.views import kept_photo_view

        return kept_photo_view(request, self, pk)

    @path("paikat/")
    def place_search_view(self, request):
        from .public.places import place_search_view

        return place_search_view(request, self)

    @path("julkiset/")
    def published_list_view(self, request):
        from .public.published import published_list_view

        return published_list_view(request, self)

    @path("julkiset/kartta/")
    def published_map_view(self, request):
        from .public.published import published_map_view

        return published_map_view(request, self)

    def published_geojson_view(self, request):
        """``julkiset/kartta.geojson``: Wagtail's page URLs cannot hold a dot, so
        ``palaute_plugin.urls`` routes it here (include it before Wagtail's URLs)."""
        from .public.published import published_geojson_view

        return published_geojson_view(request, self)

    @path("julkiset/kuvat/<str:token>/<str:size>/")
    def published_photo_view(self, request, token, size):
        from .public.published import published_photo_view

        return published_photo_view(request, self, token, size)

    @path("julkiset/lahella/")
    def nearby_view(self, request):
        from .public.metoo import nearby_view

        return nearby_view(request, self)

    @path("julkiset/<str:reference>/mina-myos/")
    def metoo_view(self, request, reference):
        from .public.metoo import metoo_view

        return metoo_view(request, self, reference)

    @path("mina-myos/vahvista/<str:token>/")
    def metoo_confirm_view(self, request, token):
        from .public.metoo import metoo_confirm_view

        return metoo_confirm_view(request, self, token)

    @path("mina-myos/peru/<str:token>/")
    def metoo_unsubscribe_view(self, request, token):
        from .public.metoo import metoo_unsubscribe_view

        return metoo_unsubscribe_view(request, self, token)

    @path("julkiset/<str:reference>/")
    def published_detail_view(self, request, reference):
        from .public.published import published_detail_view

        return published_detail_view(request, self, reference)

    def get_privacy_url(self, request=None):
        """The privacy notice's address: its page's, or ``privacy_url``.

        A page's address needs only its ``url_path`` and the site root paths (the
        request's): one narrow query, no page row, and no site query.
        """
        if not self.privacy_page_id:
            return self.privacy_url
        if FeedbackPage.privacy_page.is_cached(self):
            return self.privacy_page.get_url(request)
        url_path = (Page.objects.filter(pk=self.privacy_page_id)
                    .values_list("url_path", flat=True).first())
        if url_path is None:  # deleted meanwhile (the link is then cleared)
            return self.privacy_url
        # An id: Page() looks up no content type for a page that exists.
        return Page(id=self.privacy_page_id, url_path=url_path).get_url(request)

    def status_url(self, feedback, request=None):
        return self.get_full_url(request) + self.reverse_subpage(
            "status_view", args=[feedback.tracking_token]
        )


def new_tracking_token():
    return secrets.token_urlsafe(32)


class ReferenceSequence(models.Model):
    """The last reference number given each year (reference numbers run per year)."""

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference sequence")

    def __str__(self):
        return f"{self.year}: {self.last_number}"

    @classmethod
    def next_reference(cls, year):
        """Return the next reference, e.g. ``2026-00042``; call inside a transaction."""
        # No savepoint: a failure here fails the whole submission anyway.
        with transaction.atomic(savepoint=False):
            # The UPDATE takes the row lock first, so concurrent submissions queue here.
            number = cls._increment(year)
            if number is None:
                cls.objects.get_or_create(year=year, defaults={"last_number": 0})
                number = cls._increment(year)
        prefix = palaute_setting("REFERENCE_PREFIX")
        return f"{prefix}{year}-{number:05d}"

    @classmethod
    def _increment(cls, year):
        """Add one to the year's number and return it (None: the year has no row yet), in
        one ``UPDATE ... RETURNING`` where the database has it (PostgreSQL, SQLite 3.35+)."""
        connection = connections[router.db_for_write(cls)]
        if not connection.features.can_return_columns_from_insert:
            if not cls.objects.filter(year=year).update(last_number=models.F("last_number") + 1):
                return None
            return cls.objects.filter(year=year).values_list("last_number", flat=True).get()
        quote = connection.ops.quote_name
        number = quote(cls._meta.get_field("last_number").column)
        # Only the model's own quoted names are formatted in; the year is a parameter.
        sql = (f"UPDATE {quote(cls._meta.db_table)} SET {number} = {number} + 1 "  # noqa: S608
               f"WHERE {quote(cls._meta.get_field('year').column)} = %s RETURNING {number}")
        with connection.cursor() as cursor:
            cursor.execute(sql, [year])
            row = cursor.fetchone()
        return row[0] if row else None


#: An open case is "due soon" this close to its due time.
DUE_SOON = timedelta(days=2)
#: ``Feedback.OPEN_STATUSES`` by value, for the rules an index of ``Feedback`` names
#: before the class exists.
OPEN_STATUS_VALUES = ("new", "in_progress", "work_list")
#: ``Feedback.Status`` in the order of handling, for the inbox's sort by status.
STATUS_ORDER = ("new", "in_progress", "work_list", "already_known", "redirected", "resolved",
                "closed", "rejected")


class FeedbackQuerySet(models.QuerySet):
    """The rules about cases that lists, counts and filters use.

    Each rule is a ``Q`` builder (for ``Count(filter=...)``, negation and the
    inbox's filters), with a method where code filters by it alone; ``Feedback``
    applies the same rule to one loaded case (``is_open``, ``is_overdue``).
    """

    @staticmethod
    def open_q():
        """New, in progress or on the work list."""
        return Q(status__in=Feedback.OPEN_STATUSES)

    @staticmethod
    def clock_running_q():
        """Open and not yet answered: the response clock runs towards ``due_at``."""
        return Q(status__in=OPEN_STATUS_VALUES, first_response_at__isnull=True)

    @staticmethod
    def clock_stopped():
        """0 while the response clock runs, 1 after (answered, closed): the inbox's sort
        by time left puts the running clocks first (``palaute_feedback_time_left_idx``)."""
        return Case(When(FeedbackQuerySet.clock_running_q(), then=Value(0)),
                    default=Value(1), output_field=models.IntegerField())

    @staticmethod
    def status_rank():
        """A status's place in the order of handling (new first, rejected last): the
        inbox's sort by status (``palaute_feedback_status_rank``), instead of the
        codes' alphabetical order, which looked random in every language."""
        return Case(*(When(status=status, then=Value(rank))
                      for rank, status in enumerate(STATUS_ORDER)),
                    default=Value(len(STATUS_ORDER)), output_field=models.IntegerField())

    @staticmethod
    def overdue_q(now=None):
        """Open, not yet answered, and past its due time."""
        return FeedbackQuerySet.clock_running_q() & Q(due_at__lt=now or timezone.now())

    def overdue(self, now=None):
        return self.filter(self.overdue_q(now))

    @staticmethod
    def due_soon_q(now=None, soon=DUE_SOON):
        """Open, not yet answered, due within ``soon`` but not yet overdue."""
        now = now or timezone.now()
        return FeedbackQuerySet.clock_running_q() & Q(due_at__gte=now, due_at__lt=now + soon)


class Feedback(ClusterableModel):
    """One case: a resident's feedback, question or proposal."""

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("feedback")
        QUESTION = "question", _("question")
        PROPOSAL = "proposal", _("proposal for action")

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        PHONE = "phone", _("phone")
        POST = "post", _("post")
        SERVICE_POINT = "service_point", _("service point")
        EMAIL = "email", _("email")
        LEGACY_FORM = "legacy_form", _("free-form web form")
        API = "api", _("API")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        IN_PROGRESS = "in_progress", _("in progress")
        WORK_LIST = "work_list", _("moved to the work list")
        ALREADY_KNOWN = "already_known", _("already known")
        REDIRECTED = "redirected", _("directed to another authority")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")
        REJECTED = "rejected", _("rejected")

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WORK_LIST)

    reference = models.CharField(_("reference"), max_length=30, unique=True, editable=False)
    tracking_token = models.CharField(
        _("tracking token"), max_length=64, unique=True, default=new_tracking_token,
        editable=False,
    )
    submission_key = models.CharField(
        _("submission key"), max_length=64, unique=True, null=True, blank=True, editable=False,
        help_text=_("Makes a replayed or double-clicked form post create one case."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FEEDBACK)
    category = models.ForeignKey(
        FeedbackCategory, verbose_name=_("category"), on_delete=models.PROTECT,
        related_name="feedback",
    )
    message = models.TextField(_("message"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address or place"), max_length=255, blank=True)
    contact_name = models.CharField(_("name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=50, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=LANGUAGE_CHOICES, default="fi"
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assigned_feedback",
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="duplicates",
    )
    redirected_to = models.ForeignKey(
        OtherAuthority, verbose_name=_("directed to"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    page = models.ForeignKey(
        FeedbackPage, verbose_name=_("feedback page"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The page whose status link the resident was given."),
    )
    expected_date = models.DateField(
        _("expected date"), null=True, blank=True,
        help_text=_("When work-listed work is expected to be done, if known."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=0, editable=False,
        help_text=_("Grows with every change, so that two handlers cannot overwrite each other."),
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    source_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("sent from page"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The ordinary page whose feedback block or link the resident used."),
    )
    legacy_submission = models.OneToOneField(
        "wagtailforms.FormSubmission", verbose_name=_("free-form submission"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="feedback_case",
        help_text=_("The free-form web form submission this case was made from."),
    )
    publish_consent = models.BooleanField(
        _("may be published"), default=True,
        help_text=_("The resident allowed publication after moderation, without their name "
                    "or contact details. Unticked: never proposed for publication."),
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        permissions = [("view_all_feedback", _("Can see and handle feedback of every category"))]
        indexes = [
            models.Index(fields=["category", "status", "-created_at"]),
            # Lets the inbox count a handler's cases from the index alone.
            models.Index(fields=["status", "category", "assignee"]),
            # The open cases only (a small part of a long history): the dashboard's
            # counts and the overdue filter read this, not the table. On PostgreSQL,
            # migration 0003 also adds the search's indexes (trigram and reference prefix).
            models.Index(
                fields=["status", "category", "assignee", "due_at", "first_response_at"],
                condition=Q(status__in=("new", "in_progress", "work_list")),
                name="palaute_feedback_open_idx",
            ),
            # The inbox sorted by status in the order of handling, newest first within
            # each (its tie-break): ``FeedbackIndexView.orderings``.
            models.Index(FeedbackQuerySet.status_rank(), F("id").desc(),
                         name="palaute_feedback_status_rank"),
            # Open cases near a point (the case screen's possible duplicates,
            # staff/duplicates.py): a latitude band, longitude checked in the index.
            models.Index(
                fields=["latitude", "longitude"],
                condition=Q(status__in=("new", "in_progress", "work_list")),
                name="palaute_feedback_open_geo_idx",
            ),
            # Open cases nobody has answered, by due time (``overdue_q``, ``due_soon_q``):
            # the statistics' overdue count over any range of received times reads only this
            # (with the id it counts, an index-only scan).
            models.Index(
                fields=["due_at", "created_at", "category", "id"],
                condition=Q(status__in=("new", "in_progress", "work_list"),
                            first_response_at__isnull=True),
                name="palaute_feedback_unanswer_idx",
            ),
            # The inbox sorted by time left: running clocks first, soonest due first
            # (``FeedbackIndexView.orderings``; the expression must stay the same).
            models.Index(FeedbackQuerySet.clock_stopped(), F("due_at"), F("id").desc(),
                         name="palaute_feedback_time_left_idx"),
            # (The most time left first has its own index on PostgreSQL, migration 0025:
            # SQLite takes no NULLS LAST in an index.)
            # The inbox's search by a resident's email address (``contact_email__iexact``).
            models.Index(Upper("contact_email"), name="palaute_feedback_email_idx"),
            # The cases changed since the statistics' last refresh (every 15 minutes:
            # ``stats.aggregates.changed_days``), with the received time it reads.
            models.Index(fields=["updated_at", "created_at"],
                         name="palaute_feedback_updated_idx"),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = ReferenceSequence.next_reference(timezone.localdate().year)
        if self.due_at is None and self.category_id:
            self.due_at = self.category.due_time(self.created_at)
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        """``FeedbackQuerySet.open_q`` for this case."""
        return self.status in self.OPEN_STATUSES

    @property
    def has_location(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def location(self):
        """The point as wagtailgeowidget stores it, for its map widgets."""
        if not self.has_location:
            return ""
        return f"SRID=4326;POINT({self.longitude} {self.latitude})"

    @property
    def is_overdue(self):
        """``FeedbackQuerySet.overdue`` for this case."""
        return self.due_state() == "overdue"

    def due_state(self, now=None, soon=DUE_SOON):
        """``"overdue"``, ``"due_soon"`` or ``""``: the response clock of an open case
        that nobody has answered yet (the rule of ``FeedbackQuerySet.overdue_q``)."""
        if not self.is_open or self.first_response_at is not None or self.due_at is None:
            return ""
        now = now or timezone.now()
        if self.due_at < now:
            return "overdue"
        if self.due_at < now + soon:  # the rule of ``FeedbackQuerySet.due_soon_q``
            return "due_soon"
        return ""


class ResponseTemplate(models.Model):
    """A reusable answer that editors manage; placeholders are filled per case."""

    PLACEHOLDERS = ("reference", "category", "name")

    title = models.CharField(_("title in Finnish"), max_length=150)
    title_sv = models.CharField(_("title in Swedish"), max_length=150, blank=True)
    title_en = models.CharField(_("title in English"), max_length=150, blank=True)
    category = models.ForeignKey(
        FeedbackCategory, verbose_name=_("category"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="response_templates",
        help_text=_("Offered only for this category (and its subcategories); empty = all."),
    )
    text_fi = models.TextField(
        _("text in Finnish"),
        help_text=_("Placeholders: {reference}, {category}, {name}. The resident's private "
                    "link is added to every email automatically."),
    )
    text_sv = models.TextField(_("text in Swedish"), blank=True)
    text_en = models.TextField(_("text in English"), blank=True)

    text = TranslatedField("text")

    panels = [
        MultiFieldPanel([FieldPanel("title"), FieldPanel("title_sv"), FieldPanel("title_en")],
                        _("Title")),
        FieldPanel("category"),
        FieldPanel("text_fi"),
        FieldPanel("text_sv"),
        FieldPanel("text_en"),
    ]

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["title"]

    def __str__(self):
        return self.translated_title

    @property
    def translated_title(self):
        """The title in the active language (the staff's admin language), else Finnish."""
        return getattr(self, f"title_{current_language()}", "") or self.title

    @staticmethod
    def title_ordering():
        """Orders templates by their title as ``translated_title`` shows it."""
        field = f"title_{current_language()}"
        if field not in ("title_sv", "title_en"):
            return F("title").asc()
        return Coalesce(NullIf(field, Value("")), "title").asc()

    def render(self, feedback):
        """The text in the case's language with placeholders filled (unknown ones kept)."""
        values = {
            "reference": feedback.reference,
            "category": TranslatedField("name").for_language(feedback.category, feedback.language),
            "name": feedback.contact_name,
        }
        text = TranslatedField("text").for_language(self, feedback.language)
        return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)


def photo_upload_to(instance, filename):
    # The name is random (see photos/store.py); the folder spreads files out.
    return f"feedback/{filename[:2]}/{filename}"


def raw_upload_to(instance, filename):
    # Raw uploads in a folder of their own (few: each kept until cleaned), which the
    # sweep lists for files no row names (photos/store.py, delete_unnamed_uploads).
    return f"{RAW_UPLOAD_FOLDER}/{filename}"


RAW_UPLOAD_FOLDER = "raw"


class FeedbackPhoto(models.Model):
    """A photo of a case; stored outside the web root.

    The upload is checked (format, bytes, pixels) while the resident waits, kept
    in ``upload`` and cleaned by a task (``tasks.process_photo``), which writes
    ``image`` and ``thumbnail`` and deletes the upload.
    """

    class State(models.TextChoices):
        PROCESSING = "processing", _("being processed")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be processed")

    feedback = ParentalKey(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="photos"
    )
    upload = models.FileField(
        _("upload"), upload_to=raw_upload_to, storage=photo_storage, blank=True,
        help_text=_("The file as received, kept only until it is cleaned."),
    )
    image = models.FileField(
        _("image"), upload_to=photo_upload_to, storage=photo_storage, blank=True
    )
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=photo_upload_to, storage=photo_storage, blank=True
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.READY, db_index=True
    )
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["sort_order", "pk"]
        indexes = [
            # The photos still naming a raw upload: the ones processing, and any whose
            # worker died before deleting it (store.drop_leftover_uploads).
            models.Index(fields=["id"], condition=~models.Q(upload=""),
                         name="palaute_photo_upload_kept_idx"),
        ]

    def __str__(self):
        return f"{self.feedback.reference} #{self.sort_order + 1}"

    @property
    def is_ready(self):
        return self.state == self.State.READY


class Notification(models.Model):
    """An email written in the same transaction as the change that caused it.

    A task delivers it; a periodic schedule retries what failed, with backoff,
    up to ``PALAUTE_EMAIL_MAX_ATTEMPTS``.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("feedback"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications",
    )
    template = models.CharField(_("template"), max_length=60)
    to_resident = models.BooleanField(_("to the resident"), default=False)
    recipient = models.EmailField(_("recipient"))
    # Empty: DEFAULT_FROM_EMAIL with the language's name (tasks.sender); an email taken
    # from Wagtail's or Django's code (mail.py) keeps the sender it was written with.
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fi")
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email notification")
        verbose_name_plural = _("email notifications")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.template} → {self.recipient} ({self.get_state_display()})"


# The moderated public record lives in its own package; imported here so that
# Django registers it under this app.
from .answers.models import AnswerApprovalTask, AnswerDraft  # noqa: E402, F401
from .insights.models import ClockStep, DigestSent, LegalHold  # noqa: E402, F401
from .open311.models import ApiKey, ApiSubmission, ServiceAttribute  # noqa: E402, F401
from .photos.pending import PendingPhoto  # noqa: E402, F401
from .places.models import Place  # noqa: E402, F401
from .publication.models import FeedbackPublication  # noqa: E402, F401
from .publication.photos import PublicPhoto  # noqa: E402, F401
from .publication.subscriptions import MeTooSubscription  # noqa: E402, F401
from .publication.tasks import PublicationApprovalTask  # noqa: E402, F401
from .stats import models as stats_models  # noqa: E402, F401
