"""Published open cases near a place: the form's "reported already?" hint and the receipt.

The bounding box (``geo.bounds_around``) lets the ``palaute_pub_bbox`` index find
the few candidates; ``geo.distance_m`` then keeps those within the radius.
"""

from datetime import timedelta

from django.db.models import prefetch_related_objects
from django.utils import timezone

from ..geo import bounds_around, distance_m
from ..models import Feedback
from .models import FeedbackPublication

RADIUS_M = 200
MAX_AGE_DAYS = 180
LIMIT = 5
#: At most this many candidates in the box are measured (a box of 400 m).
CANDIDATES = 200
OPEN_STATUSES = (Feedback.Status.NEW, Feedback.Status.IN_PROGRESS, Feedback.Status.WORK_LIST)


def within(rows, latitude, longitude, radius_m, limit):
    """``(metres, row)`` of the rows within ``radius_m``, nearest first, at most ``limit``."""
    measured = sorted(
        ((distance_m(latitude, longitude, row.latitude, row.longitude), row) for row in rows),
        key=lambda pair: (pair[0], -pair[1].pk))
    return [(metres, row) for metres, row in measured if metres <= radius_m][:limit]


def nearby_publications(category_id, latitude, longitude, *, exclude_feedback_id=None,
                        radius_m=RADIUS_M, limit=LIMIT, now=None):
    """Published open cases of the category near the place, published in the last
    ``MAX_AGE_DAYS`` days: ``(metres, publication)`` nearest first, with their public
    photos prefetched."""
    south, west, north, east = bounds_around(latitude, longitude, radius_m)
    since = (now or timezone.now()) - timedelta(days=MAX_AGE_DAYS)
    candidates = (FeedbackPublication.objects.public()
                  .filter(category_id=category_id, shown_status__in=OPEN_STATUSES,
                          first_published_at__gte=since,
                          latitude__gte=south, latitude__lte=north,
                          longitude__gte=west, longitude__lte=east))
    if exclude_feedback_id is not None:
        candidates = candidates.exclude(feedback_id=exclude_feedback_id)
    candidates = candidates.select_related("category").order_by()[:CANDIDATES]
    found = within(list(candidates), latitude, longitude, radius_m, limit)
    prefetch_related_objects([publication for _metres, publication in found], "public_photos")
    return found


def nearby_for_case(feedback):
    """The hint's cases for a sent case (its receipt), or ``[]`` without a place."""
    if not feedback.has_location:
        return []
    return nearby_publications(feedback.category_id, feedback.latitude, feedback.longitude,
                               exclude_feedback_id=feedback.pk)
