"""An answer to a resident waiting for approval, moderated through Wagtail's workflow.

In a category with ``answer_approvers``, a handler's reply, resolve or close text
becomes an ``AnswerDraft`` instead of an email. Wagtail's workflow takes it to the
approvers; its publication (approval) performs the action it stands for, which
emails the resident (``approval.apply_approved``). ``sent_at`` marks it done:
a sent answer is never applied again.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    Task,
    TaskState,
    WorkflowMixin,
)

from ..models import LANGUAGE_CHOICES, Feedback
from .panels import AnswerContextPanel


class AnswerQuerySet(models.QuerySet):
    def pending(self):
        """Answers not sent yet: in review, returned for changes or not yet resubmitted."""
        return self.filter(sent_at__isnull=True)


class AnswerDraft(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model):
    """A handler's answer to a resident, sent only once approved."""

    class Action(models.TextChoices):
        REPLY = "reply", _("Reply")
        RESOLVE = "resolve", _("Resolve")
        CLOSE = "close", _("Close")

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE,
        related_name="answer_drafts", editable=False,
    )
    action = models.CharField(
        _("action"), max_length=20, choices=Action.choices, editable=False,
        help_text=_("What approval does: reply, or resolve or close the case with the text."),
    )
    text = models.TextField(
        _("answer"), help_text=_("The text the resident gets by email once it is approved."))
    language = models.CharField(
        _("language"), max_length=5, choices=LANGUAGE_CHOICES, default="fi", editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)

    objects = AnswerQuerySet.as_manager()

    panels = [
        AnswerContextPanel(heading=_("Feedback")),
        FieldPanel("text"),
    ]

    class Meta:
        verbose_name = _("answer awaiting approval")
        verbose_name_plural = _("answers awaiting approval")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one unsent answer per case: no second answer meanwhile.
            models.UniqueConstraint(fields=["feedback"], condition=models.Q(sent_at__isnull=True),
                                    name="palaute_one_pending_answer"),
        ]

    def __str__(self):
        return _("Answer to %(reference)s (%(action)s)") % {
            "action": self.get_action_display(), "reference": self.feedback.reference}

    def publish(self, revision, user=None, **kwargs):
        """Publishing is approval: the answer is sent (once) right after."""
        from .approval import send_approved

        result = super().publish(revision, user=user, **kwargs)
        send_approved(self.pk, approver=user)
        return result

    def with_content_json(self, content):
        """Only the text comes from a revision; the rest follows the row (``sent_at``
        above all: restoring an old revision never makes a sent answer unsent)."""
        obj = super().with_content_json(content)
        for name in ("feedback_id", "action", "language", "author_id", "created_at",
                     "sent_at"):
            setattr(obj, name, getattr(self, name))
        return obj


def approvable_by(user):
    """The answers ``user`` may approve: those of categories whose approver group they
    are in (superusers: all)."""
    if not (user.is_active and user.is_authenticated):
        return AnswerDraft.objects.none()
    if user.is_superuser:
        return AnswerDraft.objects.all()
    return AnswerDraft.objects.filter(
        feedback__category__answer_approvers__in=user.groups.all())


class AnswerApprovalTask(Task):
    """Approval by the answer's category's approver group (``FeedbackCategory.answer_approvers``).

    One workflow serves every category: who approves follows each answer's category.
    """

    class Meta:
        verbose_name = _("answer approval task")
        verbose_name_plural = _("answer approval tasks")

    def may_approve(self, obj, user):
        return isinstance(obj, AnswerDraft) and approvable_by(user).filter(pk=obj.pk).exists()

    def user_can_access_editor(self, obj, user):
        return self.may_approve(obj, user)

    def locked_for_user(self, obj, user):
        return not self.may_approve(obj, user)

    def user_can_lock(self, obj, user):
        return self.may_approve(obj, user)

    def get_actions(self, obj, user):
        if not self.may_approve(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve and send"), False),
            ("approve", _("Approve and send with comment"), True),
        ]

    def get_task_states_user_can_moderate(self, user, **kwargs):
        ids = approvable_by(user).annotate(id_text=Cast("pk", models.CharField())).values(
            "id_text")
        return self.task_states.filter(
            status=TaskState.STATUS_IN_PROGRESS, workflow_state__object_id__in=ids,
            workflow_state__base_content_type=ContentType.objects.get_for_model(AnswerDraft))

    @classmethod
    def get_description(cls):
        return _("The approver group of the answer's category approves it; the resident "
                 "gets it by email on approval")
