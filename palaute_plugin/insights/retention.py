"""Retention: personal data of closed cases is removed after its period; erasure on request.

``PALAUTE_RETENTION_CONTACT_MONTHS`` after closing, a case's contact details (name,
email, phone) are removed and its message is anonymised (personal data replaced by
a marker, ``publication.redaction.redact``) or removed altogether
(``PALAUTE_RETENTION_KEEP_MESSAGES = False``); the same goes for what the resident
wrote later and for the texts of the case's emails, and the case's status link stops
working. ``PALAUTE_RETENTION_PHOTO_MONTHS`` after closing its photos are deleted, except
those a moderator made public (the published record keeps its copies). The "me too"
subscriptions of a case go with its contact period too
(``publication.personal_data.erase_closed``). A publication of the case never published
is deleted with its revisions; a published one keeps what was published, and only that
(``publication.personal_data.erase_from_publication``).
Open cases and cases on legal hold
(``LegalHold``) are never touched.

Each case is changed in its own transaction that locks it first (``skip_locked``:
a concurrent run passes it by) and changes it only if it still qualifies, so a
second or concurrent run does nothing twice. Every change is logged in the case's
history. ``plan`` lists what ``apply`` would change (``palaute_retention --dry-run``).
"""

import logging
import time
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Revision

from .. import queue
from ..conf import palaute_setting
from ..models import (
    Feedback,
    FeedbackPhoto,
    FeedbackQuerySet,
    Notification,
    new_tracking_token,
)
from ..photos.store import delete_photo_files
from ..publication.photos import PublicPhoto
from ..publication.redaction import MARKERS, marker, redact
from . import log_actions

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
RETENTION = "retention"
REQUEST = "request"
#: Log data keys that hold text written by or about the resident.
TEXT_KEYS = ("public_message", "text", "reason")


@dataclass
class Plan:
    """What a retention run would change: cases (references) by step."""

    contact: list = field(default_factory=list)
    photos: list = field(default_factory=list)
    #: Past the cutoff with contact details or photos, but on legal hold: left as they are.
    held: list = field(default_factory=list)


def contact_cutoff(now):
    return now - relativedelta(months=palaute_setting("RETENTION_CONTACT_MONTHS"))


def photo_cutoff(now):
    return now - relativedelta(months=palaute_setting("RETENTION_PHOTO_MONTHS"))


def has_personal_data_q():
    """The case still holds contact details (or, when messages are not kept, a message)."""
    condition = ~Q(contact_name="") | ~Q(contact_email="") | ~Q(contact_phone="")
    if not palaute_setting("RETENTION_KEEP_MESSAGES"):
        condition |= ~Q(message__in=MARKERS.values())
    return condition


def closed_q():
    return ~FeedbackQuerySet.open_q() & Q(closed_at__isnull=False)


def retainable_q():
    """Closed and not on legal hold: what retention may change at all."""
    return closed_q() & Q(legal_hold__isnull=True)


def contact_past_cutoff_q(now):
    return has_personal_data_q() & Q(closed_at__lt=contact_cutoff(now))


def photos_past_cutoff_q(now):
    return Exists(unpublished_photos().filter(feedback=OuterRef("pk"))) & Q(
        closed_at__lt=photo_cutoff(now))


def contact_due(now):
    return Feedback.objects.filter(retainable_q(), contact_past_cutoff_q(now))


def unpublished_photos():
    return FeedbackPhoto.objects.exclude(
        Exists(PublicPhoto.objects.filter(source=OuterRef("pk"))))


def photo_cases_due(now):
    """Cases closed before the photo cutoff that still have unpublished photos."""
    return Feedback.objects.filter(retainable_q(), photos_past_cutoff_q(now))


def plan(now=None):
    now = now or timezone.now()
    return Plan(
        contact=list(contact_due(now).order_by("closed_at", "pk")
                     .values_list("reference", flat=True)),
        photos=list(photo_cases_due(now).order_by("closed_at", "pk")
                    .values_list("reference", flat=True)),
        held=list(held_past_cutoff(now).order_by("closed_at", "pk")
                  .values_list("reference", flat=True)),
    )


def held_past_cutoff(now):
    """Closed cases on legal hold that retention would otherwise change."""
    return Feedback.objects.filter(closed_q(), Q(legal_hold__isnull=False)).filter(
        contact_past_cutoff_q(now) | photos_past_cutoff_q(now))


def apply(now=None, deadline=None, batch_size=BATCH_SIZE):
    """Remove what is due, in batches of ``batch_size`` cases; return
    ``{"contact": n, "photos": m, "more": bool}`` (cases changed; ``more``: stopped at
    ``deadline``, a ``time.monotonic()`` value, with work left for the next run)."""
    now = now or timezone.now()
    contact_before, photo_before = contact_cutoff(now), photo_cutoff(now)
    steps = (
        ("contact", lambda last: contact_due(now).filter(pk__gt=last).order_by("pk")
         .values_list("pk", flat=True)[:batch_size],
         lambda pk: erase_personal_data(pk, reason=RETENTION, closed_before=contact_before)),
        ("photos", lambda last: photo_cases_due(now).filter(pk__gt=last).order_by("pk")
         .values_list("pk", flat=True)[:batch_size],
         lambda pk: delete_photos(pk, closed_before=photo_before)),
    )
    done = {"contact": 0, "photos": 0, "subscriptions": 0, "more": False}
    for key, next_batch, change in steps:
        last = 0
        while not done["more"]:
            pks = list(next_batch(last))
            for pk in pks:
                if deadline is not None and time.monotonic() > deadline:
                    done["more"] = True
                    break
                done[key] += change(pk)
                last = pk
            if len(pks) < batch_size:
                break
    if not done["more"]:
        from ..publication.personal_data import erase_closed

        done["subscriptions"] = erase_closed(contact_before)
    if done["contact"] or done["photos"] or done["subscriptions"]:
        logger.info("Retention: personal data removed from %s cases, photos from %s, "
                    "%s \"me too\" subscriptions deleted%s.", done["contact"], done["photos"],
                    done["subscriptions"], " (more left)" if done["more"] else "")
    return done


def _lock(pk, condition):
    """The case locked for this transaction if it still meets ``condition``; None if it
    does not, or if another run holds it (it does the work)."""
    return (Feedback.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(condition, pk=pk).first())


def erase_personal_data(pk, *, reason, user=None, closed_before=None):
    """Remove a case's contact details and anonymise (or remove) its texts; True if the
    case was changed. ``closed_before``: only a case closed before then (retention);
    None: any case not on legal hold (a resident's request)."""
    condition = Q(legal_hold__isnull=True) & has_personal_data_q()
    if closed_before is not None:
        condition &= retainable_q() & Q(closed_at__lt=closed_before)
    with queue.atomic():
        case = _lock(pk, condition)
        if case is None:
            return False
        names = [case.contact_name] if case.contact_name else []
        keep = palaute_setting("RETENTION_KEEP_MESSAGES")
        anonymise = (lambda text: redact(text, case.language, names)) if keep else (
            lambda text: marker(case.language) if text else text)
        # A new tracking token: the status link (in the resident's emails, and with anyone
        # they forwarded it to) no longer opens the case or takes follow-ups.
        Feedback.objects.filter(pk=pk).update(
            contact_name="", contact_email="", contact_phone="",
            message=anonymise(case.message), version=F("version") + 1,
            tracking_token=new_tracking_token(), updated_at=timezone.now())
        _anonymise_history(case, anonymise)
        _anonymise_answers(case, anonymise)
        _anonymise_emails(case)
        from ..publication.personal_data import erase_from_publication, in_review

        # Said in the case's history: a handler's draft under review went without a word.
        review_withdrawn = in_review(case)
        publication = erase_from_publication(case, user=user)
        log(instance=case, action=log_actions.PERSONAL_DATA_REMOVED, user=user,
            data={"reason": reason, "messages_kept": keep, "publication": publication,
                  "review_withdrawn": review_withdrawn})
    return True


def _anonymise_history(case, anonymise):
    for entry in ModelLogEntry.objects.for_instance(case):
        data = dict(entry.data or {})
        changed = {key: anonymise(data[key]) for key in TEXT_KEYS
                   if isinstance(data.get(key), str) and data[key]}
        if any(changed[key] != data[key] for key in changed):
            entry.data = {**data, **changed}
            entry.save(update_fields=["data"])


def _anonymise_answers(case, anonymise):
    """Answers held for approval (``answers``) and their revisions quote the resident too."""
    from ..answers.models import AnswerDraft

    for answer in AnswerDraft.objects.filter(feedback=case):
        AnswerDraft.objects.filter(pk=answer.pk).update(text=anonymise(answer.text))
        for revision in Revision.objects.for_instance(answer):
            content = dict(revision.content or {})
            if isinstance(content.get("text"), str) and content["text"]:
                revision.content = {**content, "text": anonymise(content["text"])}
                revision.save(update_fields=["content"])


def _anonymise_emails(case):
    """The emails' texts held the contact details; the resident's address goes too.
    An email to the resident not yet sent is not sent."""
    notifications = Notification.objects.filter(feedback=case)
    notifications.filter(to_resident=True, state__in=[
        Notification.State.PENDING, Notification.State.SENDING]).update(
        state=Notification.State.FAILED, last_error="Personal data removed before sending.")
    notifications.filter(to_resident=True).update(recipient="")
    notifications.update(body_text="", body_html="")


def delete_photos(pk, *, closed_before=None, user=None):
    """Delete a case's unpublished photos (files after commit); True if any went."""
    condition = Q(legal_hold__isnull=True)
    if closed_before is not None:
        condition &= retainable_q() & Q(closed_at__lt=closed_before)
    with queue.atomic():
        case = _lock(pk, condition)
        if case is None:
            return False
        photos = list(unpublished_photos().filter(feedback=case))
        if not photos:
            return False
        FeedbackPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
        Feedback.objects.filter(pk=pk).update(version=F("version") + 1,
                                              updated_at=timezone.now())
        log(instance=case, action=log_actions.PHOTOS_DELETED, user=user,
            data={"reason": RETENTION if closed_before else REQUEST, "photos": len(photos)})
        transaction.on_commit(lambda: [delete_photo_files(photo) for photo in photos])
    return True
