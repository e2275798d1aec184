"""An answer to a resident waiting for approval, moderated through Wagtail's workflow.

In a category with ``answer_approvers``, a handler's reply, resolve or close text
becomes an ``AnswerDraft`` instead of an email. Wagtail's workflow takes it to the
approvers; its publication (approval) performs the action it stands for, which
emails the resident (``approval.apply_approved``). ``sent_at`` marks it done:
a sent answer is never applied again.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
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
        # Said before an approver edits: a changed text needs another approver (four eyes).
        FieldPanel("text", help_text=_(
            "The text the resident gets by email once it is approved. An approver who "
            "changes it becomes one of its writers: another approver must then approve it.")),
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
        """Publishing is approval: the answer is sent (once) right after. Never by one
        who wrote or submitted it (four-eyes), whichever way it is asked for."""
        from .approval import send_approved

        if user is not None and is_writer(self, user):
            raise PermissionDenied(SELF_APPROVAL_MESSAGE)
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


#: Wagtail's log actions of submitting an object to its workflow and resubmitting it.
SUBMIT_LOG_ACTIONS = ("wagtail.workflow.start", "wagtail.workflow.resume")

SELF_APPROVAL_MESSAGE = _(
    "You wrote or submitted this answer, so you cannot approve it: another approver must.")


def writers_of(answer_pks):
    """``{answer pk: {user ids}}``: who wrote or submitted each answer (four-eyes).

    The author; whoever started or resumed its workflow (submitted or resubmitted
    it, also its workflow states' ``requested_by``); and whoever saved a revision
    that changed its text (a revision with the same text, as Wagtail's edit form
    saves on every action, writes nothing). A fixed number of queries for any
    number of answers.
    """
    from wagtail.models import ModelLogEntry, Revision, WorkflowState

    pks = [int(pk) for pk in answer_pks]
    writers = {pk: set() for pk in pks}
    if not pks:
        return writers
    ids = [str(pk) for pk in pks]
    content_type = ContentType.objects.get_for_model(AnswerDraft)
    for pk, author_id in AnswerDraft.objects.filter(pk__in=pks).values_list("pk", "author_id"):
        writers[pk].add(author_id)
    for object_id, user_id in ModelLogEntry.objects.filter(
            content_type=content_type, object_id__in=ids, action__in=SUBMIT_LOG_ACTIONS
    ).values_list("object_id", "user_id"):
        writers[int(object_id)].add(user_id)
    for object_id, user_id in WorkflowState.objects.filter(
            base_content_type=content_type, object_id__in=ids).values_list(
            "object_id", "requested_by_id"):
        writers[int(object_id)].add(user_id)
    previous_text = {}
    for object_id, user_id, content in Revision.objects.filter(
            base_content_type=content_type, object_id__in=ids).order_by(
            "created_at", "pk").values_list("object_id", "user_id", "content"):
        text = (content or {}).get("text")
        if object_id not in previous_text or text != previous_text[object_id]:
            writers[int(object_id)].add(user_id)
        previous_text[object_id] = text
    for users in writers.values():
        users.discard(None)
    return writers


def writer_ids(answer):
    """Who wrote or submitted ``answer`` (``writers_of``), kept on the instance for the
    request (Wagtail asks a task about the same object several times)."""
    cached = getattr(answer, "_palaute_writer_ids", None)
    if cached is None:
        cached = writers_of([answer.pk])[answer.pk]
        answer._palaute_writer_ids = cached
    return cached


def is_writer(answer, user):
    return user.pk is not None and user.pk in writer_ids(answer)


def approvable_by(user):
    """The answers ``user`` may approve: those of categories whose approver group they
    are in (superusers: all)."""
    if not (user.is_active and user.is_authenticated):
        return AnswerDraft.objects.none()
    if user.is_superuser:
        return AnswerDraft.objects.all()
    return AnswerDraft.objects.filter(
        feedback__category__answer_approvers__in=user.groups.all())


#: The approvers' buttons (an approved answer is emailed to the resident, never published:
#: ``wagtail_hooks.answers_are_sent_not_published``).
APPROVE_AND_SEND = _("Approve and send")
APPROVE_AND_SEND_WITH_COMMENT = _("Approve and send with comment")


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
        """Approvers decide; but one who wrote or submitted the answer may only ask for
        changes (to edit it) or withdraw it, never approve it (four-eyes)."""
        if not self.may_approve(obj, user):
            return []
        request_changes = ("reject", _("Request changes"), True)
        if is_writer(obj, user):
            return [request_changes]
        return [
            request_changes,
            ("approve", APPROVE_AND_SEND, False),
            ("approve", APPROVE_AND_SEND_WITH_COMMENT, True),
        ]

    def on_action(self, task_state, user, action_name, **kwargs):
        """However the action arrives: approval by a writer is refused."""
        answer = task_state.workflow_state.content_object
        if action_name == "approve" and is_writer(answer, user):
            raise PermissionDenied(SELF_APPROVAL_MESSAGE)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        """In review, of the answers the user approves, and not written or submitted by
        them ("Awaiting your review" lists only what they may approve)."""
        content_type = ContentType.objects.get_for_model(AnswerDraft)
        ids = approvable_by(user).annotate(id_text=Cast("pk", models.CharField())).values(
            "id_text")
        states = self.task_states.filter(
            status=TaskState.STATUS_IN_PROGRESS, workflow_state__object_id__in=ids,
            workflow_state__base_content_type=content_type)
        in_review = list(states.values_list("workflow_state__object_id", flat=True))
        own = [str(pk) for pk, users in writers_of(in_review).items() if user.pk in users]
        return states.exclude(workflow_state__object_id__in=own) if own else states

    @classmethod
    def get_description(cls):
        return _("The approver group of the answer's category approves it; the resident "
                 "gets it by email on approval")
