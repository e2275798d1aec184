"""State transitions of a case. The public form, the admin, the API and tasks call these.

Each action checks the user may act, that the status allows it and that nobody
changed the case meanwhile (``expected_version``); then it changes the case,
logs it in Wagtail's history and writes the notifications it causes, all in one
transaction. Errors are ``ActionError``s with a translated message and change
nothing.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from . import log_actions, notifications, permissions, queue, signals
from .answers.models import AnswerDraft
from .conf import palaute_setting
from .geo import distance_between
from .models import Feedback, FeedbackCategory, FeedbackPage
from .photos.images import uploads_digest
from .photos.store import delete_photo_files, save_photos

logger = logging.getLogger(__name__)

Status = Feedback.Status
OPEN = tuple(Feedback.OPEN_STATUSES)
CLOSED = tuple(s for s in Status.values if s not in OPEN)
REPLYABLE = tuple(s for s in Status.values if s != Status.REJECTED)

#: The statuses each action may start from (None: any). The actions and the case
#: screen's list of available actions both read this.
ALLOWED_STATUSES = {
    "take": OPEN, "assign": OPEN, "reply": REPLYABLE, "already_known": OPEN,
    "work_list": (Status.NEW, Status.IN_PROGRESS), "redirect": OPEN, "resolve": OPEN,
    "close": OPEN, "reject": OPEN, "reopen": CLOSED, "change_category": OPEN, "note": None,
}

#: Actions whose text to the resident waits for approval in a category with
#: ``answer_approvers`` (``answers.approval``).
APPROVED_ANSWERS = ("reply", "resolve", "close")
#: Actions refused while an answer awaits approval: the approved answer must still
#: apply to the case as it was when written, and a case is not answered twice.
WAIT_FOR_PENDING_ANSWER = ("reply", "already_known", "work_list", "redirect", "resolve",
                           "close", "reject", "reopen", "change_category")


class ActionError(Exception):
    """An action could not be done; ``str(error)`` tells the user why, in their language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class NotAllowed(ActionError):
    """The user may not touch this case, or its status does not allow the action."""


class ConcurrentChange(ActionError):
    """Someone else changed the case after the user loaded it."""


class AnswerPending(NotAllowed):
    """An answer to the case awaits approval: no other answer or decision meanwhile."""


ANSWER_PENDING_MESSAGE = _(
    "An answer to this feedback is awaiting approval. Wait for the approver's decision, "
    "or withdraw that answer first.")


@dataclass(frozen=True)
class Submission:
    """What a resident sends (or staff enter for them): one value from a form to an action.

    ``location`` is ``(lat, lon)`` or ``None``; ``photos`` come from ``photos.images``
    (``inspect_photo`` or ``clean_photo``).
    """

    category: FeedbackCategory
    message: str
    kind: str = Feedback.Kind.FEEDBACK
    location: tuple | None = None
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    language: str = "fi"
    channel: str = Feedback.Channel.WEB
    photos: tuple = ()
    publish_consent: bool = True
    #: The ordinary page the resident sent it from (``FeedbackBlock``, the site-wide link).
    source_page: object = None
    #: The free-form form submission the case is made from (``legacy.convert``).
    legacy_submission: object = None


def submit_feedback(submission, *, page=None, submission_key=None, user=None):
    """Create a case from a :class:`Submission`, route it to the category's responsible
    person and notify.

    A repeated ``submission_key`` (double click, replayed post) returns the case it
    already created instead of a new one, with ``replayed`` set to True (False on a
    new case).
    """
    category, channel, kind = submission.category, submission.channel, submission.kind
    if submission_key:
        existing = Feedback.objects.filter(submission_key=submission_key).first()
        if existing:
            existing.replayed = True
            return existing
    latitude, longitude = submission.location or (None, None)
    feedback = Feedback(
        kind=kind, category=category, message=submission.message, latitude=latitude,
        longitude=longitude, address=submission.address,
        contact_name=submission.contact_name, contact_email=submission.contact_email,
        contact_phone=submission.contact_phone, language=submission.language,
        channel=channel, page=page, submission_key=submission_key,
        assignee_id=category.responsible_person_id,
        publish_consent=submission.publish_consent,
        source_page=submission.source_page, legacy_submission=submission.legacy_submission,
    )
    saved_photos = []
    try:
        with queue.atomic():
            feedback.save()
            # Any error rolls the whole submission back: no savepoint needed.
            saved_photos = save_photos(feedback, submission.photos, savepoint=False)
            notifications.remember_photo_count(feedback, len(saved_photos))
            log(instance=feedback, action=log_actions.RECEIVED, user=user,
                data={"channel": channel, "kind": kind})
            notifications.notify_feedback_received(feedback)
    except IntegrityError:
        _delete_files(saved_photos)
        if submission_key:
            existing = Feedback.objects.filter(submission_key=submission_key).first()
            if existing:  # the same post won a race with itself
                existing.replayed = True
                return existing
        raise
    except Exception:
        _delete_files(saved_photos)
        raise
    logger.info("Feedback %s received (%s, %s)", feedback.reference, category.service_code,
                channel)
    feedback.replayed = False
    return feedback


def _delete_files(saved_photos):
    """Nothing half-saved: files of a rolled-back case are removed (uploads included)."""
    for photo in saved_photos:
        delete_photo_files(photo)


# --- handling a case -------------------------------------------------------------


def _transition(feedback, *, user, expected_version, allowed, changes=None, log_action,
                log_data=None, after=None, waits_for_answer=True, approved=False):
    """Apply ``changes`` to the case if it is still as the user saw it.

    ``after(case)`` runs inside the transaction to queue emails. ``changes`` and
    ``log_data`` may be callables of the locked case as it was before the change.
    The version check is a conditional UPDATE, so two handlers acting at once
    cannot both win. Unless ``waits_for_answer`` is False, a case with an answer
    awaiting approval is refused; ``approved`` is that answer being sent (its
    author's permission was checked when it was written).
    """
    with queue.atomic():
        case = _load_for_update(feedback.pk)
        _check(case, user, expected_version, allowed, check_permission=not approved)
        if waits_for_answer and not approved:
            check_no_pending_answer(case)
        # Decided on the locked row, not on what the caller loaded earlier.
        changes = dict((changes(case) if callable(changes) else changes) or {})
        log_data = log_data(case) if callable(log_data) else log_data
        new_status = changes.get("status")
        if new_status and new_status != case.status:
            if new_status in CLOSED:
                changes.setdefault("closed_at", timezone.now())
            elif case.status in CLOSED:
                changes.setdefault("closed_at", None)
        updated = Feedback.objects.filter(pk=case.pk, version=case.version).update(
            version=F("version") + 1, updated_at=timezone.now(), **changes)
        if not updated:
            raise ConcurrentChange(_CHANGED_MESSAGE)
        old_status = case.status
        case.refresh_from_db()
        log(instance=case, action=log_action, user=user, data=log_data or {})
        if after:
            after(case)
        if case.status != old_status:
            signals.status_changed.send(sender=Feedback, feedback=case, old_status=old_status)
    return case


_CHANGED_MESSAGE = _(
    "Someone else changed this feedback while you were looking at it. "
    "Check the latest situation and try again."
)


def _load_for_update(pk):
    return (Feedback.objects.select_for_update(of=("self",))
            .select_related("category", "assignee").get(pk=pk))


def _check(case, user, expected_version, allowed, check_permission=True):
    if check_permission and not permissions.can_view_feedback(user, case):
        raise NotAllowed(_("You may not handle this feedback."))
    if expected_version not in (None, "") and int(expected_version) != case.version:
        raise ConcurrentChange(_CHANGED_MESSAGE)
    if allowed is not None and case.status not in allowed:
        raise NotAllowed(_("This cannot be done while the feedback is “%(status)s”.")
                         % {"status": case.get_status_display()})


#: For ``answers.approval``, which checks a case as the actions do.
load_for_update = _load_for_update
check = _check


def has_pending_answer(feedback):
    """Whether an answer to the case awaits approval."""
    return AnswerDraft.objects.pending().filter(feedback=feedback.pk).exists()


def check_no_pending_answer(case):
    if has_pending_answer(case):
        raise AnswerPending(ANSWER_PENDING_MESSAGE)


def _submit_for_approval(feedback, action_name, text, *, user, approved, expected_version):
    """The case when the answer was submitted for approval instead, else None."""
    if approved or feedback.category.answer_approvers_id is None:
        return None
    from .answers.approval import submit

    return submit(feedback, action_name, text, user=user, expected_version=expected_version)


def _public_response(message, *, status=None):
    """Log data for a resident-visible step."""
    data = {"public_message": message or ""}
    if status:
        data["status"] = status
    return data


def _with_first_response(**changes):
    """Changes that also stamp the first response, if the case had none yet."""
    def build(case):
        if not case.first_response_at:
            return {**changes, "first_response_at": timezone.now()}
        return changes
    return build


def _replied():
    """A reply stamps the first response, and a new case is then being handled (the
    resident would otherwise read "New" above the city's answer, and it would stay among
    the handlers' new cases)."""
    first_response = _with_first_response()

    def build(case):
        changes = first_response(case)
        if case.status == Status.NEW:
            return {**changes, "status": Status.IN_PROGRESS}
        return changes
    return build


def _email_resident(template, **extra):
    def send(case):
        if case.contact_email:
            notifications.notify_resident(case, template, **extra)
    return send


def _require_text(text, message):
    text = (text or "").strip()
    if not text:
        raise ActionError(message)
    return text


def assign(feedback, *, user, assignee, expected_version=None):
    """Give the case to ``assignee`` (one of ``permissions.handlers_of`` its category);
    they are emailed unless they assigned it to themselves."""
    _check(feedback, user, None, None)
    if not permissions.may_handle(assignee, feedback):
        raise ActionError(_("Choose a person who handles this category."))

    def after(case):
        if assignee.pk != getattr(user, "pk", None):
            notifications.notify_assignee(case, assignee)

    def changes(case):
        if case.status == Status.NEW:
            return {"assignee": assignee, "status": Status.IN_PROGRESS}
        return {"assignee": assignee}

    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["assign"],
        changes=changes, log_action=log_actions.ASSIGNED,
        log_data={"assignee_id": assignee.pk, "assignee": assignee.get_full_name()
                  or assignee.get_username()},
        after=after, waits_for_answer=False)


def take(feedback, *, user, expected_version=None):
    """Assign the case to oneself."""
    return assign(feedback, user=user, assignee=user, expected_version=expected_version)


def reply(feedback, *, user, message, expected_version=None, approved=False):
    """Answer the resident (after approval, if the category asks for it: then the case is
    returned with ``submitted_answer`` set). A new case is then in progress; other
    statuses stay."""
    message = _require_text(message, _("Write the reply."))
    submitted = _submit_for_approval(feedback, "reply", message, user=user, approved=approved,
                                     expected_version=expected_version)
    if submitted is not None:
        return submitted
    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["reply"],
        changes=_replied(), log_action=log_actions.REPLIED,
        log_data=_public_response(message),
        after=_email_resident("reply", message=message), approved=approved)


def mark_already_known(feedback, *, user, earlier, message="", expected_version=None):
    """The matter was known: link the earlier case; the resident hears when it is resolved."""
    if earlier is None:
        raise ActionError(_("Choose the earlier feedback."))
    if earlier.pk == feedback.pk or not permissions.can_view_feedback(user, earlier):
        raise ActionError(_("Choose another earlier feedback: this one cannot be used."))
    if earlier.duplicate_of_id == feedback.pk:
        raise ActionError(_("That feedback is already linked to this one."))
    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["already_known"],
        changes=_with_first_response(status=Status.ALREADY_KNOWN, duplicate_of=earlier),
        log_action=log_actions.STATUS_CHANGED,
        log_data={**_public_response(message, status=Status.ALREADY_KNOWN),
                  "duplicate_of": earlier.reference},
        after=_email_resident("already_known", message=message, earlier=earlier))


def move_to_work_list(feedback, *, user, expected_date=None, message="",
                      expected_version=None):
    """The work is planned; the resident hears it, with the expected date if known."""
    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["work_list"],
        changes=_with_first_response(status=Status.WORK_LIST, expected_date=expected_date),
        log_action=log_actions.STATUS_CHANGED,
        log_data={**_public_response(message, status=Status.WORK_LIST),
                  "expected_date": expected_date.isoformat() if expected_date else ""},
        after=_email_resident("work_list", message=message, expected_date=expected_date))


def redirect_to_authority(feedback, *, user, authority, message="", expected_version=None):
    """Not the city's matter: tell the resident which authority handles it."""
    if authority is None:
        raise ActionError(_("Choose the authority that handles this matter."))
    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["redirect"],
        changes=_with_first_response(status=Status.REDIRECTED, redirected_to=authority),
        log_action=log_actions.STATUS_CHANGED,
        log_data={**_public_response(message, status=Status.REDIRECTED),
                  "authority": authority.name_fi},
        after=_email_resident("redirected", message=message, authority=authority))


def resolve(feedback, *, user, message, expected_version=None, approved=False):
    """Resolved, with an answer; residents of linked duplicates are told too (after
    approval, if the category asks for it)."""
    message = _require_text(message, _("Write the answer to the resident."))
    submitted = _submit_for_approval(feedback, "resolve", message, user=user,
                                     approved=approved, expected_version=expected_version)
    if submitted is not None:
        return submitted

    def after(case):
        _email_resident("resolved", message=message)(case)
        for duplicate in case.duplicates.filter(status=Status.ALREADY_KNOWN).exclude(
                contact_email=""):
            # Their own neutral notice: the answer was written to another resident.
            notifications.notify_resident(duplicate, "earlier_resolved", earlier=case)

    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["resolve"],
        changes=_with_first_response(status=Status.RESOLVED),
        log_action=log_actions.STATUS_CHANGED,
        log_data=_public_response(message, status=Status.RESOLVED), after=after,
        approved=approved)


def close(feedback, *, user, reason, expected_version=None, approved=False):
    """No further action, with the reason told to the resident (after approval, if the
    category asks for it)."""
    reason = _require_text(reason, _("Write the reason for closing."))
    submitted = _submit_for_approval(feedback, "close", reason, user=user, approved=approved,
                                     expected_version=expected_version)
    if submitted is not None:
        return submitted
    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["close"],
        changes=_with_first_response(status=Status.CLOSED),
        log_action=log_actions.STATUS_CHANGED,
        log_data=_public_response(reason, status=Status.CLOSED),
        after=_email_resident("closed", message=reason), approved=approved)


def reject(feedback, *, user, reason="", expected_version=None):
    """Spam or inappropriate: no email, never public."""
    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["reject"],
        changes={"status": Status.REJECTED}, log_action=log_actions.STATUS_CHANGED,
        log_data={"status": Status.REJECTED, "reason": reason or ""})


#: Statuses the resident was told of by email, and so is told again when the case reopens.
TOLD_RESIDENT = (Status.RESOLVED, Status.CLOSED, Status.ALREADY_KNOWN, Status.REDIRECTED)


def reopen(feedback, *, user, expected_version=None):
    """A closed case back to handling.

    The log keeps what the case had been linked to (the earlier case, the
    authority), so the timeline still shows it; a resident who was told of the
    decision is told that the case is handled again.
    """
    before = {}

    def log_data(case):
        before["status"] = case.status
        data = {"status": Status.IN_PROGRESS, "public_message": "", "reopened_from": case.status}
        if case.duplicate_of_id:
            data["was_duplicate_of"] = case.duplicate_of.reference
        if case.redirected_to_id:
            data["was_redirected_to"] = case.redirected_to.name_fi
        return data

    def after(case):
        if before.get("status") in TOLD_RESIDENT:
            _email_resident("reopened", previous_status=before["status"])(case)

    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["reopen"],
        # A new due time from now (the category's working days) for the renewed handling.
        changes=lambda case: {"status": Status.IN_PROGRESS, "duplicate_of": None,
                              "redirected_to": None, "expected_date": None,
                              "due_at": case.category.due_time(timezone.now())},
        log_action=log_actions.STATUS_CHANGED, log_data=log_data, after=after)


def change_category(feedback, *, user, category, expected_version=None):
    """Re-route: the new category's responsible person gets the case and is notified."""
    # Any active city category: re-routing hands the case to another team.
    if category is None or not category.accepts_feedback:
        raise ActionError(_("Choose an active category."))
    if category.pk == feedback.category_id:
        raise ActionError(_("The feedback is already in that category."))
    old_category = feedback.category

    def after(case):
        from .publication.actions import follow_category

        follow_category(case)
        notifications.notify_rerouted(case)

    return _transition(
        feedback, user=user, expected_version=expected_version,
        allowed=ALLOWED_STATUSES["change_category"],
        changes={"category": category, "assignee": category.responsible_person},
        log_action=log_actions.CATEGORY_CHANGED,
        log_data={"from": old_category.name_fi, "to": category.name_fi}, after=after)


def add_note(feedback, *, user, text, expected_version=None):
    """An internal note: for staff only, never shown or sent to the resident."""
    text = _require_text(text, _("Write the note."))
    return _transition(
        feedback, user=user, expected_version=None, allowed=ALLOWED_STATUSES["note"],
        log_action=log_actions.NOTE, log_data={"text": text}, waits_for_answer=False)


def create_staff_feedback(submission, *, user):
    """Feedback received by phone, post, email or at a service point, entered by staff."""
    if submission.channel in (Feedback.Channel.WEB, Feedback.Channel.API):
        raise ActionError(_("Choose how the feedback was received."))
    if not permissions.visible_categories(user).accepting_feedback().filter(
            pk=submission.category.pk).exists():
        raise ActionError(_("Choose an active category you handle."))
    return submit_feedback(submission, page=feedback_page_for(submission.language), user=user)


def feedback_page_for(language):
    """The live feedback page in ``language`` (or any), whose status link a case gets."""
    pages = FeedbackPage.objects.live()
    return pages.filter(locale__language_code=language).first() or pages.first()


def nearby_candidates(feedback, limit=20, user=None):
    """Earlier cases offered for "already known": same category, nearest first.

    With ``user``, only cases that user may see are offered.
    """
    cases = permissions.feedback_for_user(user) if user is not None else Feedback.objects
    candidates = list(
        cases.filter(category=feedback.category_id)
        .exclude(pk=feedback.pk).exclude(status=Status.REJECTED)
        .exclude(duplicate_of=feedback.pk)
        .select_related("category").order_by("-created_at")[:200])
    if feedback.has_location:
        def distance(case):
            metres = distance_between(feedback, case)
            return float("inf") if metres is None else metres
        candidates.sort(key=distance)
    return candidates[:limit]


ACTIONS = {
    "take": take, "assign": assign, "reply": reply, "already_known": mark_already_known,
    "work_list": move_to_work_list, "redirect": redirect_to_authority, "resolve": resolve,
    "close": close, "reject": reject, "reopen": reopen, "change_category": change_category,
    "note": add_note,
}
ACTION_NAMES = set(ACTIONS)



def available_actions(feedback, user):
    """The actions that apply to the case now, in the order the screen shows them."""
    if not permissions.can_view_feedback(user, feedback):
        return []
    names = [name for name, allowed in ALLOWED_STATUSES.items()
             if allowed is None or feedback.status in allowed]
    if has_pending_answer(feedback):
        names = [name for name in names if name not in WAIT_FOR_PENDING_ANSWER]
    if feedback.assignee_id == getattr(user, "pk", None) and feedback.status != Status.NEW:
        names = [name for name in names if name != "take"]
    return names


def bulk_apply(action_name, feedbacks, *, user, **kwargs):
    """Apply one action to many cases, each in its own transaction with its own emails."""
    action = ACTIONS[action_name]
    done, failed = [], []
    for feedback in feedbacks:
        try:
            done.append(action(feedback, user=user, **kwargs))
        except ActionError as error:
            failed.append((feedback, str(error)))
    return done, failed


def _repeats_latest_follow_up(case, message, photos_digest):
    since = timezone.now() - timedelta(seconds=palaute_setting("FORM_MAX_AGE_SECONDS"))
    latest = (ModelLogEntry.objects.for_instance(case)
              .filter(action=log_actions.FOLLOW_UP, timestamp__gte=since)
              .order_by("-timestamp", "-pk").values_list("data", flat=True).first())
    if latest is None or latest.get("photos_digest") != photos_digest:
        return False
    return " ".join(str(latest.get("public_message", "")).split()) == " ".join(message.split())


def _check_photos_per_case(stored, added):
    """A link holder may not add photos without end (storage, staff screens)."""
    cap = palaute_setting("MAX_PHOTOS_PER_CASE")
    if not added or stored + added <= cap:
        return
    left = max(cap - stored, 0)
    if not left:
        raise ActionError(_("This case has as many photos as it can take. You can still add "
                            "text."))
    raise ActionError(ngettext(
        "You can add only %(count)s more photo to this case. Choose fewer.",
        "You can add only %(count)s more photos to this case. Choose fewer.",
        left) % {"count": left})


def resident_follow_up(feedback, *, message, cleaned_photos=(), submission_key=""):
    """The resident adds information through their private status page.

    A repeated ``submission_key`` (the same form posted twice) changes nothing more, nor
    does the same text with the same photos as the case's latest follow-up within a form's
    lifetime (Back after sending and Send again: the reloaded form has a new key), told
    apart by the photos' bytes.
    """
    # Photos alone are information too ("here is a photo of it").
    message = (message or "").strip() if cleaned_photos else _require_text(
        message, _("Write your message."))
    if not feedback.is_open:
        raise NotAllowed(_("This feedback is closed. Send new feedback instead."))
    saved = []
    try:
        with queue.atomic():
            case = _load_for_update(feedback.pk)
            if submission_key and ModelLogEntry.objects.for_instance(case).filter(
                    action=log_actions.FOLLOW_UP, data__submission_key=submission_key).exists():
                return case  # the case is locked: a concurrent twin waited and sees it
            photos_digest = uploads_digest(cleaned_photos)
            if _repeats_latest_follow_up(case, message, photos_digest):
                return case
            start = case.photos.count()
            _check_photos_per_case(start, len(cleaned_photos))
            saved = save_photos(case, cleaned_photos)
            for offset, photo in enumerate(saved):
                photo.sort_order = start + offset
                photo.save(update_fields=["sort_order"])
            Feedback.objects.filter(pk=case.pk).update(version=F("version") + 1,
                                                       updated_at=timezone.now())
            data = {"public_message": message, "photos": len(saved),
                    "photos_digest": photos_digest}
            if submission_key:
                data["submission_key"] = submission_key
            log(instance=case, action=log_actions.FOLLOW_UP, user=None, data=data)
            notifications.notify_follow_up(case, message, photos=len(saved))
    except Exception:
        _delete_files(saved)
        raise
    return case
