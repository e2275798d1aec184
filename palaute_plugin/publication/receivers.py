"""Wagtail's workflow steps of a publication, written into the case's timeline.

``connect()`` is called once from the app config's ``ready()``.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.log_actions import log
from wagtail.models import Revision, TaskState, WorkflowState
from wagtail.signals import published, unpublished, workflow_rejected

from ..signals import status_changed
from . import log_actions
from .actions import bump_publications_version, follow_case
from .models import FeedbackPublication
from .photos import PublicPhoto, delete_all_copies, delete_copy_files, sync_public_photos
from .subscriptions import notify_subscribers


def on_published(sender, instance, revision=None, **kwargs):
    sync_public_photos(instance)
    log(instance=instance.feedback, action=log_actions.PUBLISHED,
        user=getattr(revision, "user", None), data={"publication_id": instance.pk})
    transaction.on_commit(bump_publications_version)


def on_unpublished(sender, instance, **kwargs):
    delete_all_copies(instance)
    log(instance=instance.feedback, action=log_actions.UNPUBLISHED,
        data={"publication_id": instance.pk})
    transaction.on_commit(bump_publications_version)
    # Wagtail's signal names nobody; its log entry (written after it) names who did it.
    transaction.on_commit(lambda: tell_proposer_of_unpublishing(instance.pk))


def tell_proposer_of_unpublishing(publication_id):
    """Email whoever proposed the case for publication that its record is no longer public
    (a moderator's unpublishing went unheard: acceptance test 2026-12-03)."""
    from .. import notifications
    from .actions import proposer_of
    from .log_entries import PublicationLogEntry

    publication = (FeedbackPublication.objects.select_related("feedback")
                   .filter(pk=publication_id, live=False).first())
    if publication is None:
        return
    entry = (PublicationLogEntry.objects.for_instance(publication)
             .filter(action="wagtail.unpublish").select_related("user")
             .order_by("-timestamp", "-pk").first())
    actor = entry.user if entry is not None else None
    feedback = publication.feedback
    proposer = proposer_of(feedback)
    if (proposer is None or not proposer.is_active or not proposer.email
            or (actor is not None and actor.pk == proposer.pk)):
        return
    notifications.queue_email(
        "publication_unpublished", proposer.email,
        language=notifications.staff_language(proposer),
        context=notifications.feedback_context(
            feedback, admin_url=notifications.admin_feedback_url(feedback), actor=actor),
        feedback=feedback)


def on_workflow_rejected(sender, instance, user=None, **kwargs):
    publication = instance.content_object
    if not isinstance(publication, FeedbackPublication):
        return
    task_state = instance.current_task_state
    comment = task_state.get_comment() if task_state else ""
    log(instance=publication.feedback, action=log_actions.CHANGES_REQUESTED, user=user,
        data={"publication_id": publication.pk, "text": comment})


def review_what_is_approved(sender, instance, created=False, raw=False, **kwargs):
    """A new revision of a record (or an answer) under review becomes the one its step
    reviews. Wagtail's task keeps the revision it was submitted with: the moderator's
    preview (and the link in every reviewer's email) showed that one, while approval
    publishes the latest. A moderator saved "Call me 040 …" as a draft, the preview still
    showed the text without it, and approval published it (acceptance test 2026-12-03)."""
    if not created or raw:
        return
    from ..answers.models import AnswerDraft

    model = instance.content_type.model_class()
    if model not in (FeedbackPublication, AnswerDraft):
        return
    TaskState.objects.filter(
        workflow_state__base_content_type_id=instance.base_content_type_id,
        workflow_state__object_id=instance.object_id,
        workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
        status=TaskState.STATUS_IN_PROGRESS,
    ).update(revision=instance)


def connect():
    post_save.connect(review_what_is_approved, sender=Revision,
                      dispatch_uid="palaute-review-the-latest-revision")
    published.connect(on_published, sender=FeedbackPublication,
                      dispatch_uid="palaute-publication-published")
    unpublished.connect(on_unpublished, sender=FeedbackPublication,
                        dispatch_uid="palaute-publication-unpublished")
    workflow_rejected.connect(on_workflow_rejected, dispatch_uid="palaute-publication-rejected")
    status_changed.connect(follow_case, dispatch_uid="palaute-publication-follows-case")
    status_changed.connect(notify_subscribers, dispatch_uid="palaute-metoo-subscribers")
    post_delete.connect(delete_copy_files, sender=PublicPhoto,
                        dispatch_uid="palaute-public-photo-files")
