"""Proposing a case for publication, and keeping its public record in step with it.

``propose(feedback, user=...)`` checks the handler may see the case, that the
resident allowed publication and that the case is not rejected; it creates the
draft with personal data redacted, starts the model's workflow and logs the step
in the case's timeline. Wagtail's workflow does the rest (approve → published).
"""

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Revision

from .. import notifications, permissions
from ..actions import ActionError, NotAllowed
from ..cache_versions import CacheVersion
from ..models import Feedback
from . import log_actions
from .models import FeedbackPublication
from .redaction import redact

#: Coarsening of the proposed place: three decimals is about 100 m.
COORDINATE_DECIMALS = 3
CACHE_VERSION_KEY = "palaute:publications-version"
TITLE_CHARS = 80


#: Invalidates the cached public list and map (publish, unpublish, status change).
PUBLICATIONS = CacheVersion(CACHE_VERSION_KEY)
publications_version = PUBLICATIONS.current
bump_publications_version = PUBLICATIONS.bump


def can_propose(feedback, user):
    return (permissions.can_view_feedback(user, feedback) and feedback.publish_consent
            and feedback.status != Feedback.Status.REJECTED)


def draft_for(feedback):
    """An unsaved publication of the case with its text redacted."""
    text = redact(feedback.message, feedback.language, names=[feedback.contact_name])
    # The message's first line alone: the topic is shown beside the title in each
    # visitor's language (a category name written into the title stayed in the
    # resident's: "Parker och grönområden: …" on the Finnish list).
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = Truncator(first_line or feedback.reference).chars(TITLE_CHARS)

    def coarse(value):
        return None if value is None else round(value, COORDINATE_DECIMALS)

    return FeedbackPublication(
        feedback=feedback, reference=feedback.reference, title=title, text=text,
        language=feedback.language, category_id=feedback.category_id, kind=feedback.kind,
        latitude=coarse(feedback.latitude), longitude=coarse(feedback.longitude),
        received_at=feedback.created_at, shown_status=feedback.status,
        status_changed_at=feedback.updated_at or timezone.now(),
    )


def propose(feedback, *, user):
    """Create the case's draft publication and submit it to the workflow."""
    if not permissions.can_view_feedback(user, feedback):
        raise NotAllowed(_("You may not handle this feedback."))
    if not feedback.publish_consent:
        raise ActionError(_("The resident asked that this feedback is not published."))
    if feedback.status == Feedback.Status.REJECTED:
        raise ActionError(_("Rejected feedback is never published."))
    if FeedbackPublication.objects.filter(feedback=feedback).exists():
        raise ActionError(_("This feedback has already been proposed for publication."))
    with transaction.atomic():
        publication = draft_for(feedback)
        publication.live = False
        publication.save()
        revision = publication.save_revision(user=user, log_action=True)
        workflow = publication.get_workflow()
        if workflow is not None:
            workflow.start(publication, user)
        log(instance=feedback, action=log_actions.PROPOSED, user=user,
            data={"publication_id": publication.pk, "revision_id": revision.pk})
    return publication


def can_decline(publication, user):
    """A moderator may decline a record that was never published (a published one is
    unpublished instead: it may have followers and public photo copies)."""
    return (user.is_active and user.has_perm(permissions.MODERATE_PERMISSION)
            and not publication.live and publication.first_published_at is None)


def proposer_of(feedback):
    """Who proposed the case for publication last, if anyone."""
    entry = (ModelLogEntry.objects.for_instance(feedback)
             .filter(action=log_actions.PROPOSED).select_related("user")
             .order_by("-timestamp", "-pk").first())
    return entry.user if entry is not None else None


def decline(publication, *, user, reason):
    """"Do not publish": the draft (with its revisions and workflow) is removed, the case's
    timeline says why, and whoever proposed it is emailed. The case itself is unchanged
    and may be proposed again (and declined again)."""
    reason = (reason or "").strip()
    if not can_decline(publication, user):
        raise NotAllowed(_("Only a moderator may decline a record that has not been "
                           "published."))
    if not reason:
        raise ActionError(_("Say why it is not published: the handler reads it."))
    feedback = publication.feedback
    with transaction.atomic():
        proposer = proposer_of(feedback)
        log(instance=feedback, action=log_actions.DECLINED, user=user,
            data={"publication_id": publication.pk, "text": reason})
        log(instance=publication, action="wagtail.delete", user=user)  # the site's history
        publication.delete()
        if (proposer is not None and proposer.pk != user.pk and proposer.is_active
                and proposer.email):
            notifications.queue_email(
                "publication_declined", proposer.email,
                language=notifications.staff_language(proposer),
                context=notifications.feedback_context(
                    feedback, admin_url=notifications.admin_feedback_url(feedback),
                    reason=reason, moderator=user),
                feedback=feedback)
    return feedback


def follow_category(feedback):
    """A case moved to another category takes its public record along: the record and its
    revisions (a later approval publishes a revision) name the new topic. It stayed under
    the old topic on the public pages, and the new category's handlers saw a record labelled
    with the old one (acceptance test 2026-12-03)."""
    publication = FeedbackPublication.objects.filter(feedback=feedback).first()
    if publication is None or publication.category_id == feedback.category_id:
        return
    FeedbackPublication.objects.filter(pk=publication.pk).update(category=feedback.category_id)
    for revision in Revision.objects.for_instance(publication):
        content = dict(revision.content or {})
        if content.get("category") != feedback.category_id:
            revision.content = {**content, "category": feedback.category_id}
            revision.save(update_fields=["content"])
    transaction.on_commit(bump_publications_version)


def follow_case(sender, feedback, old_status=None, **kwargs):
    """Signal receiver: the public record shows the case's new status at once (and its
    received time, should that have been corrected)."""
    status_changed_at = Case(When(shown_status=feedback.status, then=F("status_changed_at")),
                             default=Value(timezone.now()))
    updated = FeedbackPublication.objects.filter(feedback=feedback).exclude(
        shown_status=feedback.status, received_at=feedback.created_at).update(
        shown_status=feedback.status, received_at=feedback.created_at,
        status_changed_at=status_changed_at)
    if updated:
        transaction.on_commit(bump_publications_version)
