"""What a free-form form page needs to send its submissions into the feedback system."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from .. import queue


class FeedbackFormPageMixin(models.Model):
    """Mix into a ``wagtail.contrib.forms`` page, before ``AbstractEmailForm``.

    The page keeps its editor-built fields. It gains a saved mapping (category,
    kind, which field holds the message, name, email and phone) used to convert
    its submissions into cases, optionally every new one at once; its emails go
    through the feedback system's outbox, and residents who leave an email address
    get a receipt. The public side (anti-spam, accessible fields) is in
    ``public/legacy.py``; override ``serve`` to change it.
    """

    feedback_category = models.ForeignKey(
        "palaute_plugin.FeedbackCategory", verbose_name=_("feedback category"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The category a submission is converted into, unless the handler "
                    "chooses another."),
    )
    feedback_kind = models.CharField(
        _("feedback kind"), max_length=20, default="feedback",
        choices=[("feedback", _("feedback")), ("question", _("question")),
                 ("proposal", _("proposal for action"))],
    )
    feedback_message_field = models.CharField(
        _("message field"), max_length=255, blank=True,
        help_text=_("The field whose answer becomes the message, by its label."),
    )
    feedback_name_field = models.CharField(_("name field"), max_length=255, blank=True)
    feedback_email_field = models.CharField(_("email field"), max_length=255, blank=True)
    feedback_phone_field = models.CharField(_("phone field"), max_length=255, blank=True)
    route_to_feedback = models.BooleanField(
        _("route every new submission into the feedback system"), default=False,
        help_text=_("Each new submission becomes a case in the category above at once, "
                    "with the mapping above."),
    )

    feedback_panels = [
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("feedback_category"), FieldPanel("feedback_kind")]),
            FieldPanel("feedback_message_field"),
            FieldRowPanel([FieldPanel("feedback_name_field"), FieldPanel("feedback_email_field"),
                           FieldPanel("feedback_phone_field")]),
            FieldPanel("route_to_feedback"),
        ], _("Feedback system")),
    ]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.route_to_feedback and not (self.feedback_category_id
                                           and self.feedback_message_field):
            raise ValidationError({"route_to_feedback": _(
                "Choose the category and the message field before routing submissions "
                "into the feedback system.")})

    def get_submissions_list_view_class(self):
        from .views import LegacySubmissionsListView

        return self.submissions_list_view_class or LegacySubmissionsListView

    def feedback_field_choices(self):
        """``(clean name, label)`` of the form's own fields, for the mapping."""
        return [(field.clean_name, field.label) for field in self.get_form_fields()]

    def feedback_field_name(self, value):
        """A mapped field given by its clean name or its label, as its clean name."""
        for name, label in self.feedback_field_choices():
            if value in (name, label):
                return name
        return value

    def feedback_mapping(self):
        """The saved mapping as a ``convert.Mapping``."""
        from .convert import Mapping

        return Mapping(
            category=self.feedback_category, kind=self.feedback_kind,
            message_field=self.feedback_field_name(self.feedback_message_field),
            name_field=self.feedback_field_name(self.feedback_name_field),
            email_field=self.feedback_field_name(self.feedback_email_field),
            phone_field=self.feedback_field_name(self.feedback_phone_field))

    def process_form_submission(self, form):
        """Save the submission and queue its emails together; route it if set to."""
        from . import convert

        with queue.atomic():
            submission = super().process_form_submission(form)
            case = convert.auto_route(self, submission) if self.route_to_feedback else None
            if case is None:
                convert.queue_receipt(self, submission)
        return submission

    def send_mail(self, form):
        """Through the outbox (``notifications``), not synchronously like Wagtail's."""
        from .convert import queue_form_emails

        queue_form_emails(self, form)

    def serve(self, request, *args, **kwargs):
        from ..public.legacy import serve_legacy_form

        return serve_legacy_form(request, self, *args, **kwargs)
