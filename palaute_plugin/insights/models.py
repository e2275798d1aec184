"""What the response clock has sent, and the cases on legal hold."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClockStep(models.Model):
    """One reminder or escalation sent for a case's due time: each is sent at most once.

    The unique row is written in the transaction that writes the emails, so a second
    run (or a concurrent one) finds it and sends nothing. A reopened case gets a new
    due time, and with it new steps.
    """

    class Step(models.TextChoices):
        REMINDER = "reminder", _("reminder before the due time")
        ESCALATION = "escalation", _("escalation when overdue")

    feedback = models.ForeignKey(
        "palaute_plugin.Feedback", verbose_name=_("feedback"), on_delete=models.CASCADE,
        related_name="clock_steps",
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    due_at = models.DateTimeField(_("due"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("response clock step")
        verbose_name_plural = _("response clock steps")
        constraints = [
            models.UniqueConstraint(fields=["feedback", "step", "due_at"],
                                    name="palaute_clock_step_once"),
        ]

    def __str__(self):
        return f"{self.feedback_id} {self.step} {self.due_at:%Y-%m-%d}"


class DigestSent(models.Model):
    """A handler's daily digest of one day: at most one a day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("daily digest sent")
        verbose_name_plural = _("daily digests sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="palaute_digest_once_a_day"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.day}"


class LegalHold(models.Model):
    """A case that retention and erasure must leave as it is (a dispute, an appeal, a
    request for documents), with the reason. Lifting the hold deletes the row; both
    steps are in the case's history."""

    feedback = models.OneToOneField(
        "palaute_plugin.Feedback", verbose_name=_("feedback"), on_delete=models.CASCADE,
        related_name="legal_hold",
    )
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    set_at = models.DateTimeField(_("set"), default=timezone.now)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        permissions = [
            ("set_legal_hold", _("Can put feedback on legal hold and lift it")),
            ("handle_data_requests", _("Can find, export and erase a resident's personal "
                                       "data (data requests)")),
        ]

    def __str__(self):
        return str(self.feedback_id)
