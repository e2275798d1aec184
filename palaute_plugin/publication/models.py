"""The public record of a case, moderated through Wagtail's workflow.

A ``FeedbackPublication`` holds only what may be shown publicly: nothing of the
resident (name, contact, the original text) enters it or its revisions. The
shown status and the affected count follow the case without a new moderation
round: ``with_content_json`` keeps them from the live row when a revision is
published, so an old draft cannot roll them back.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from ..models import LANGUAGE_CHOICES, Feedback, FeedbackCategory
from .forms import PublicationForm
from .panels import RedactionPanel

#: The rule of ``PublicationQuerySet.public``, also the condition of the index that
#: serves lists and counts of public records by the case's received time.
PUBLIC_Q = Q(live=True) & ~Q(shown_status=Feedback.Status.REJECTED)
#: Fields that follow the case, never restored from a revision.
FOLLOWS_CASE = ("feedback_id", "reference", "received_at", "shown_status",
                "status_changed_at", "affected_count")
#: Fields changed only in the database (``F()`` updates: a "me too" confirmed or ended),
#: never written back from an object in memory, which may have been read before.
COUNTED_IN_DATABASE = ("affected_count",)


class PublicationQuerySet(models.QuerySet):
    def public(self):
        """What the public pages may show: published and not rejected."""
        return self.filter(PUBLIC_Q)


class FeedbackPublication(PreviewableMixin, WorkflowMixin, DraftStateMixin, LockableMixin,
                          RevisionMixin, models.Model):
    """The moderated public record of one case (at most one per case)."""

    feedback = models.OneToOneField(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE,
        related_name="publication", editable=False,
    )
    reference = models.CharField(
        _("reference"), max_length=30, unique=True, editable=False,
        help_text=_("The case's reference number, shown publicly."),
    )
    title = models.CharField(
        _("title"), max_length=120, help_text=_("A short public title, without names."))
    text = models.TextField(
        _("moderated text"),
        help_text=_("The text shown publicly. Personal data was replaced by "
                    "“[poistettu]”; check the rest before approving."),
    )
    language = models.CharField(
        _("language of the text"), max_length=5, choices=LANGUAGE_CHOICES, default="fi")
    category = models.ForeignKey(
        FeedbackCategory, verbose_name=_("category"), on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Feedback.Kind.choices, default=Feedback.Kind.FEEDBACK)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True,
        help_text=_("May be coarsened, e.g. to the street, to protect a home address."))
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    shown_status = models.CharField(
        _("status shown publicly"), max_length=20, choices=Feedback.Status.choices,
        default=Feedback.Status.NEW, editable=False,
        help_text=_("Follows the case's status automatically."),
    )
    received_at = models.DateTimeField(
        _("received"), editable=False,
        help_text=_("The case's received time (a copy, so that lists by it need no join)."),
    )
    status_changed_at = models.DateTimeField(
        _("status changed"), default=timezone.now, editable=False)
    public_answer = models.TextField(
        _("the city's public answer"), blank=True,
        help_text=_("Shown publicly under the text. Approved like the text."),
    )
    photo_ids = models.JSONField(
        _("public photos"), default=list, blank=True, editable=False,
        help_text=_("The case's photos chosen to be shown publicly (as copies)."),
    )
    blur_areas = models.JSONField(
        _("blurred areas"), default=dict, blank=True, editable=False,
        help_text=_("Areas of the chosen photos blurred on their public copies."),
    )
    affected_count = models.PositiveIntegerField(
        _("affected residents"), default=1, editable=False,
        help_text=_("How many residents this concerns."),
    )
    created_at = models.DateTimeField(_("proposed"), default=timezone.now, editable=False)

    objects = PublicationQuerySet.as_manager()

    panels = [
        RedactionPanel(heading=_("Redactions")),
        FieldPanel("title"),
        FieldPanel("text"),
        FieldPanel("public_answer"),
        FieldPanel("photos"),
        FieldPanel("blurred_areas"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("kind"), FieldPanel("language")]),
        MultiFieldPanel([FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")])],
                        _("Place")),
        FieldPanel("personal_data_checked"),
    ]
    base_form_class = PublicationForm

    class Meta:
        verbose_name = _("feedback publication")
        verbose_name_plural = _("feedback publications")
        ordering = ["-first_published_at", "-created_at"]
        indexes = [
            # The public list (newest first) and the map's bounding box.
            models.Index(fields=["live", "-first_published_at"], name="palaute_pub_list"),
            models.Index(fields=["live", "latitude", "longitude"], name="palaute_pub_bbox"),
            # The Open311 list and its count (X-Result-Count) over a window of received
            # times, newest first, read from the index alone.
            models.Index(fields=["received_at", "id", "shown_status", "category"],
                         condition=PUBLIC_Q, name="palaute_pub_received"),
            # The public list filtered by status, topic or kind, newest first: the
            # capped count and the page read one index range, not every public record.
            models.Index(fields=["shown_status", "-first_published_at", "-id"],
                         condition=PUBLIC_Q, name="palaute_pub_status"),
            models.Index(fields=["category", "-first_published_at", "-id"],
                         condition=PUBLIC_Q, name="palaute_pub_category"),
            models.Index(fields=["kind", "-first_published_at", "-id"],
                         condition=PUBLIC_Q, name="palaute_pub_kind"),
            # The map's GeoJSON of one topic: that topic's records in the box, not every
            # record in the box read to find the topic's (a topic is a few per cent).
            models.Index(fields=["category", "latitude", "longitude"],
                         condition=PUBLIC_Q, name="palaute_pub_category_box"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def save(self, *args, **kwargs):
        if self.received_at is None:
            self.received_at = self.feedback.created_at
        if (self.pk is not None and not args and kwargs.get("update_fields") is None
                and not kwargs.get("force_insert")):
            # Wagtail's unpublish, publish and workflow save the whole object, perhaps
            # read before a "me too" was confirmed: every field but the counted ones.
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in COUNTED_IN_DATABASE]
        super().save(*args, **kwargs)

    @property
    def has_location(self):
        return self.latitude is not None and self.longitude is not None

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in FOLLOWS_CASE:
            setattr(obj, name, getattr(self, name))
        return obj

    def get_preview_template(self, request, mode_name):
        return "palaute_plugin/public/publication_preview.html"

    def get_preview_context(self, request, mode_name):
        """As the public will see it; the chosen photos through the staff's view, since
        public copies are made only on publication."""
        from django.urls import reverse

        from ..staff.viewsets import feedback_viewset
        from .photos import blurred_data_url, chosen_photos

        photo_url_name = feedback_viewset.get_url_name("photo")
        photos = []
        for photo in chosen_photos(self):
            areas = (self.blur_areas or {}).get(str(photo.pk))
            if areas:  # as the public copy will be: blurred here, shown inline
                photos.append((blurred_data_url(photo, areas),) * 2)
            else:
                photos.append((reverse(photo_url_name, args=[photo.pk, "full"]),
                               reverse(photo_url_name, args=[photo.pk, "thumb"])))
        return {**super().get_preview_context(request, mode_name), "publication": self,
                "photos": photos}
