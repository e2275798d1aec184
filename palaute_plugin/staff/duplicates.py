"""Possible duplicates on the case screen: open cases near this one, published or not,
of the categories the viewer may handle (``permissions.visible_categories``)."""

from ..geo import bounds_around
from ..models import Feedback
from ..permissions import visible_categories
from ..publication.nearby import OPEN_STATUSES, RADIUS_M, within

LIMIT = 10
CANDIDATES = 200


def nearby_open_cases(feedback, user, *, radius_m=RADIUS_M, limit=LIMIT):
    """``(metres, case)`` of open cases within ``radius_m``, nearest first."""
    if not feedback.has_location:
        return []
    south, west, north, east = bounds_around(feedback.latitude, feedback.longitude, radius_m)
    cases = (Feedback.objects.filter(
        category__in=visible_categories(user), status__in=OPEN_STATUSES,
        latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
        .exclude(pk=feedback.pk).select_related("category__parent", "publication")
        .order_by("-created_at")[:CANDIDATES])
    return within(list(cases), feedback.latitude, feedback.longitude, radius_m, limit)
