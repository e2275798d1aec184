"""Answers that wait for approval: submitting one, sending it once approved, who sees it.

``actions.reply``, ``actions.resolve`` and ``actions.close`` call :func:`submit`
instead of emailing when the case's category has ``answer_approvers``: the text
becomes an ``AnswerDraft`` in the answers' Wagtail workflow. Approval publishes
the draft, and publishing calls :func:`send_approved`, which performs the action
the draft stands for (so the resident is emailed through the notifications
outbox, in their language) exactly once.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from .. import actions, permissions, queue
from ..models import FeedbackCategory
from . import log_actions
from .models import AnswerDraft, approvable_by, writer_ids

#: The keyword argument of each answering action that carries the text.
TEXT_ARGUMENT = {"reply": "message", "resolve": "message", "close": "reason"}

NO_WORKFLOW_MESSAGE = _(
    "Answers in this category need approval, but no approval workflow is set up for them. "
    "Ask an administrator to assign one to answers awaiting approval.")


def requires_approval(feedback):
    """Whether answers to this case wait for approval (its category names approvers)."""
    return feedback.category.answer_approvers_id is not None


def pending_answer(feedback):
    """The case's answer awaiting approval, or None."""
    return AnswerDraft.objects.pending().filter(feedback=feedback.pk).first()


def submit(feedback, action_name, text, *, user, expected_version=None):
    """Store ``text`` as the answer of ``action_name`` and start its approval workflow.

    Checks as the action itself would (permission, status, version) and refuses a
    second answer while one is pending. Returns the case with ``submitted_answer``
    set; nothing is emailed to the resident yet.
    """
    with queue.atomic():
        case = actions.load_for_update(feedback.pk)
        actions.check(case, user, expected_version, actions.ALLOWED_STATUSES[action_name])
        actions.check_no_pending_answer(case)
        workflow = AnswerDraft.get_default_workflow()
        if workflow is None:
            raise actions.ActionError(NO_WORKFLOW_MESSAGE)
        draft = AnswerDraft.objects.create(
            feedback=case, action=action_name, text=text, language=case.language,
            author=user, live=False)
        revision = draft.save_revision(user=user, log_action=True)
        log(instance=case, action=log_actions.SUBMITTED, user=user,
            data={"answer_id": draft.pk, "action": action_name, "text": text,
                  "revision_id": revision.pk})
        workflow.start(draft, user)
    case.submitted_answer = draft
    return case


def send_approved(answer_pk, *, approver=None):
    """Perform an approved answer's action once: the case changes and the resident is
    emailed. Called when the draft is published (``AnswerDraft.publish``)."""
    with queue.atomic():
        draft = (AnswerDraft.objects.select_for_update(of=("self",))
                 .select_related("feedback", "author").get(pk=answer_pk))
        if draft.sent_at is not None or not draft.live:
            return None
        draft.sent_at = timezone.now()
        draft.save(update_fields=["sent_at"])
        log(instance=draft.feedback, action=log_actions.APPROVED, user=approver,
            data={"answer_id": draft.pk, "action": draft.action, "text": draft.text})
        action = actions.ACTIONS[draft.action]
        return action(draft.feedback, user=draft.author or approver, approved=True,
                      **{TEXT_ARGUMENT[draft.action]: draft.text})


# --- who sees what --------------------------------------------------------------------


def approver_categories(user):
    """The categories whose answers ``user`` approves."""
    if not (user.is_active and user.is_authenticated):
        return FeedbackCategory.objects.none()
    if user.is_superuser:
        return FeedbackCategory.objects.filter(answer_approvers__isnull=False)
    return FeedbackCategory.objects.filter(answer_approvers__in=user.groups.all())


def answers_for_user(user):
    """Answers of cases the user may see, and those the user may approve; never others."""
    if not (user.is_active and user.is_authenticated):
        return AnswerDraft.objects.none()
    if permissions.sees_all_feedback(user):
        return AnswerDraft.objects.all()
    return AnswerDraft.objects.filter(
        Q(feedback__in=permissions.feedback_for_user(user).values("pk"))
        | Q(pk__in=approvable_by(user).values("pk")))


def can_view_answer(user, answer):
    return answers_for_user(user).filter(pk=answer.pk).exists()


def may_approve_any(user):
    return approver_categories(user).exists()


def handles_approved_answers(user):
    """Whether the user handles a category whose answers need approval."""
    return permissions.visible_categories(user).filter(answer_approvers__isnull=False).exists()


def needs_another_approver(answer):
    """Whether nobody of the category's approver group but the answer's writers could
    approve it (four-eyes: a writer never approves their own answer)."""
    group_id = answer.feedback.category.answer_approvers_id
    if group_id is None:
        return False
    return not get_user_model().objects.filter(groups=group_id, is_active=True).exclude(
        pk__in=writer_ids(answer)).exists()


def users_concerned():
    """Everyone who works with answers awaiting approval: approvers and the handlers of
    such categories (for Wagtail's "who has permission" questions)."""
    categories = FeedbackCategory.objects.filter(answer_approvers__isnull=False)
    return get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__in=categories.values("answer_approvers"))
        | Q(groups__in=categories.values("handler_group"))
        | Q(pk__in=categories.values("responsible_person")), is_active=True).distinct()
