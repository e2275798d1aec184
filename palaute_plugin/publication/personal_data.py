""""Me too" subscriptions as a source of a resident's personal data (GDPR articles 15
and 17), registered with the ``register_palaute_personal_data`` hook, and their
retention.

A subscription holds the resident's email address; so do the closing emails sent
to subscribers (``metoo_closed``, attached to the case). ``find`` lists the
subscriptions of an address; ``erase`` deletes them (an active one first ends, so the
publication's ``affected_count`` goes down as with ``unsubscribe``) and blanks the
address and texts of the emails sent to it. ``erase_closed`` is the retention step:
subscriptions of cases closed before the contact cutoff are deleted (the count they
raised stays) and the addresses of their closing emails blanked.
"""

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .. import queue
from ..insights.data_requests import PersonalDataSource
from ..models import Feedback, Notification
from ..stats.receivers import record_count_changed
from .models import FeedbackPublication
from .subscriptions import MeTooSubscription, normalise_email

#: The emails sent to subscribers (not to the case's own resident).
SUBSCRIBER_TEMPLATES = ("metoo_closed",)
#: All "me too" emails to an address: the confirmation too, sent before any subscription.
METOO_EMAILS = ("metoo_confirm", *SUBSCRIBER_TEMPLATES)


class SubscriptionData(PersonalDataSource):
    name = "me_too_subscriptions"
    label = _("“Me too” subscriptions")

    def _subscriptions(self, email):
        email = normalise_email(email or "")
        if not email:
            return MeTooSubscription.objects.none()
        return MeTooSubscription.objects.filter(email__iexact=email)

    def find(self, email, phone):
        return [{"case": subscription.publication.reference,
                 "title": subscription.publication.title,
                 "email": subscription.email,
                 "language": subscription.language,
                 "confirmed": subscription.confirmed_at,
                 "unsubscribed": subscription.unsubscribed_at}
                for subscription in self._subscriptions(email)
                .select_related("publication").order_by("confirmed_at", "pk")]

    def erase(self, email, phone, *, user):
        email = normalise_email(email or "")
        if not email:
            return 0
        with queue.atomic():
            subscriptions = list(self._subscriptions(email).select_for_update())
            for subscription in subscriptions:
                if subscription.is_active:
                    FeedbackPublication.objects.filter(
                        pk=subscription.publication_id, affected_count__gt=1).update(
                        affected_count=F("affected_count") - 1)
                    record_count_changed(subscription.publication_id)
            MeTooSubscription.objects.filter(pk__in=[s.pk for s in subscriptions]).delete()
            _blank_emails(Notification.objects.filter(
                template__in=SUBSCRIBER_TEMPLATES, recipient__iexact=email))
        if subscriptions:
            from .actions import bump_publications_version

            bump_publications_version()
        return len(subscriptions)


def register():
    return SubscriptionData()


class MeTooEmailsData(PersonalDataSource):
    """The "me too" emails sent to an address, subscribed or not: an erasure left a
    confirmation with the address and its text, and the export left it out (acceptance
    test, 2026-12-03). The resident's own cases' emails go with the cases
    (``retention._anonymise_emails``)."""

    name = "emails"
    label = _("Emails to the resident about other cases (“me too”)")

    @staticmethod
    def of(email):
        email = (email or "").strip()
        if not email:
            return Notification.objects.none()
        return (Notification.objects.filter(template__in=METOO_EMAILS, recipient__iexact=email)
                .exclude(feedback__legal_hold__isnull=False).order_by("created_at", "pk"))

    def find(self, email, phone):
        return [{"time": row.created_at, "subject": row.subject, "text": row.body_text}
                for row in self.of(email)]

    def erase(self, email, phone, *, user):
        rows = self.of(email)
        count = rows.count()
        _blank_emails(rows)
        return count


def register_emails():
    return MeTooEmailsData()


def _blank_emails(notifications):
    """Unsent emails are not sent; the address and texts go."""
    notifications.filter(state__in=[Notification.State.PENDING, Notification.State.SENDING]
                         ).update(state=Notification.State.FAILED,
                                  last_error="Personal data removed before sending.")
    notifications.update(recipient="", body_text="", body_html="")


def closed_before_q(prefix, cutoff):
    """Cases (through ``prefix``) closed before ``cutoff`` and not on legal hold."""
    return (~Q(**{f"{prefix}status__in": Feedback.OPEN_STATUSES})
            & Q(**{f"{prefix}closed_at__lt": cutoff, f"{prefix}closed_at__isnull": False,
                   f"{prefix}legal_hold__isnull": True}))


def erase_closed(cutoff):
    """Retention: delete the subscriptions of cases closed before ``cutoff`` and blank
    the addresses of their closing emails; return how many subscriptions went."""
    with queue.atomic():
        deleted, _ = MeTooSubscription.objects.filter(
            closed_before_q("publication__feedback__", cutoff)).delete()
        _blank_emails(Notification.objects.filter(
            closed_before_q("feedback__", cutoff), template__in=SUBSCRIBER_TEMPLATES)
            .exclude(recipient=""))
    return deleted


#: The publication's fields (and revisions' keys) that hold text taken from the case.
TEXT_FIELDS = ("title", "text", "public_answer")


def in_review(feedback):
    """Whether the case's public record is in moderation (or sent back for changes)."""
    from wagtail.models import WorkflowState

    publication = FeedbackPublication.objects.filter(feedback=feedback).first()
    state = publication.current_workflow_state if publication is not None else None
    return state is not None and state.status in (
        WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES)


def erase_from_publication(feedback, *, user=None):
    """Erasure of a case (a resident's request or retention) reaches its publication.

    A publication never published holds the case's text only as the redactor left it,
    unmoderated, in its row and every revision: its workflow is cancelled (the task
    states go with it) and it is deleted with its revisions. So is one unpublished
    since (its row then holds the latest draft, and nothing public depends on it). A
    published one was moderated and stays as published; its other revisions (the
    proposal, drafts edited after publishing) get the published texts, and a draft in
    review is withdrawn. Its log entries keep the steps but not the titles or
    comments. Returns ``"deleted"``, ``"scrubbed"`` or ``""`` (no publication).
    """
    from wagtail.models import TaskState, WorkflowState

    from .log_entries import PublicationLogEntry

    publication = FeedbackPublication.objects.filter(feedback=feedback).first()
    if publication is None:
        return ""
    workflow_state = publication.current_workflow_state
    if workflow_state is not None and workflow_state.status in (
            WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES):
        workflow_state.cancel(user=user)
    publication.refresh_from_db()
    never_published = not publication.live
    # The steps stay; the titles they quote (labels, renames) and comments go.
    label = publication.reference if never_published else str(publication)
    logs = PublicationLogEntry.objects.filter(object_id=str(publication.pk))
    for entry in logs.exclude(data={}):
        data = {key: value for key, value in (entry.data or {}).items() if key != "comment"}
        if isinstance(data.get("title"), dict):
            data["title"] = {key: label for key in data["title"]}
        if data != entry.data:
            entry.data = data
            entry.save(update_fields=["data"])
    logs.update(label=label)
    if never_published:
        publication.delete()  # its revisions and workflow states go with it
        return "deleted"
    published = {name: getattr(publication, name) for name in TEXT_FIELDS}
    for revision in publication.revisions.exclude(pk=publication.live_revision_id):
        revision.content = {**(revision.content or {}), **published}
        revision.object_str = str(publication)
        revision.save(update_fields=["content", "object_str"])
    # Nothing is left to publish: every revision now holds the published texts.
    FeedbackPublication.objects.filter(pk=publication.pk).update(has_unpublished_changes=False)
    TaskState.objects.filter(workflow_state__object_id=str(publication.pk),
                             workflow_state__base_content_type=publication.get_base_content_type()
                             ).exclude(comment="").update(comment="")
    return "scrubbed"
