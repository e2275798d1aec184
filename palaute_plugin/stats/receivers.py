"""Changes to the residents a case affects that leave no time behind.

The refresh finds changed "me too" subscriptions and new public records by their own
times (``aggregates.changed_days``). A deleted public record (with its case, say) or
a subscription ended by erasing a resident's data leaves none, nor does a deleted case
(no staff view deletes one; a shell or a script may): the day the case was received is
marked instead (``StaleStatisticsDay``) and rebuilt at the next refresh.
``connect()`` is called from the app config's ``ready()``.
"""

from django.db.models.signals import post_delete
from django.utils import timezone

from ..models import Feedback
from ..publication.models import FeedbackPublication
from .models import StaleStatisticsDay


def mark_stale(received_at):
    if received_at is not None:
        StaleStatisticsDay.objects.create(day=timezone.localdate(received_at))


def record_count_changed(publication_id):
    """Call when a public record's ``affected_count`` changed in a way that leaves no
    time behind (``publication.personal_data.SubscriptionData.erase``)."""
    mark_stale(FeedbackPublication.objects.filter(pk=publication_id)
               .values_list("received_at", flat=True).first())


def on_publication_deleted(sender, instance, **kwargs):
    mark_stale(instance.received_at)


def on_case_deleted(sender, instance, **kwargs):
    mark_stale(instance.created_at)


def connect():
    post_delete.connect(on_publication_deleted, sender=FeedbackPublication,
                        dispatch_uid="palaute-stats-publication-deleted")
    post_delete.connect(on_case_deleted, sender=Feedback,
                        dispatch_uid="palaute-stats-case-deleted")
