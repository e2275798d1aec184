"""Service requests as the API shows them: only the public record speaks for a case.

A published case (``FeedbackPublication.objects.public()``) shows its moderated text,
place, public photos and the city's public answer. A case asked for by its id that is
not published shows only its id, service code, status and dates. A rejected case is
never shown, the same as an unknown id. Each list costs the same few queries whatever
its length (one for the rows, one for their photos, one to count, and the page's URL).
"""

import hashlib
from datetime import datetime, time

from django.core.cache import cache
from django.utils import timezone

from ..geo import bounds_around, distance_m
from ..models import Feedback, FeedbackPage, current_language
from ..publication.actions import publications_version
from ..publication.models import FeedbackPublication
from ..publication.photos import PublicPhoto
from .render import w3c

#: How many places a radius query looks at, newest first, before the exact circle.
MAX_CIRCLE_CANDIDATES = 10_000
#: The lists' order: the case's received time (copied onto the public record, whose
#: ``palaute_pub_received`` index serves the window, the order and the count).
NEWEST_FIRST = ("-received_at", "-pk")
#: How long a list's total (``X-Result-Count``) is reused while nothing is published.
COUNT_SECONDS = 300

PUBLIC_FIELDS = {
    "pk": "pk", "reference": "reference", "title": "title", "text": "text",
    "answer": "public_answer", "latitude": "latitude", "longitude": "longitude",
    "status": "shown_status", "service_code": "category__service_code",
    "name_fi": "category__name_fi", "name_sv": "category__name_sv",
    "name_en": "category__name_en", "requested": "received_at",
    "updated": "feedback__updated_at", "expected": "feedback__expected_date",
    "due": "feedback__due_at",
}
CASE_FIELDS = {
    "reference": "reference", "status": "status", "service_code": "category__service_code",
    "requested": "created_at", "updated": "updated_at", "expected": "expected_date",
    "due": "due_at",
}


def public_status(status):
    return "open" if status in Feedback.OPEN_STATUSES else "closed"


def as_dicts(queryset, fields):
    return [dict(zip(fields, row, strict=True))
            for row in queryset.values_list(*fields.values())]


def public_rows(queryset):
    return as_dicts(queryset, PUBLIC_FIELDS)


def filtered_publications(query):
    """The public records that ``query`` (a ``params.RequestQuery``) selects, newest first."""
    publications = FeedbackPublication.objects.public()
    if query.ids:
        return publications.filter(reference__in=query.ids).order_by(*NEWEST_FIRST)
    publications = publications.filter(received_at__gte=query.start,
                                       received_at__lte=query.end)
    if query.service_codes:
        publications = publications.filter(category__service_code__in=query.service_codes)
    if query.status == "open":
        publications = publications.filter(shown_status__in=Feedback.OPEN_STATUSES)
    elif query.status == "closed":
        publications = publications.exclude(shown_status__in=Feedback.OPEN_STATUSES)
    box = query.bbox or (bounds_around(*query.circle) if query.circle else None)
    if box:
        south, west, north, east = box
        publications = publications.filter(latitude__gte=south, latitude__lte=north,
                                           longitude__gte=west, longitude__lte=east)
    return publications.order_by(*NEWEST_FIRST)


def page_of_publications(query):
    """``(rows of this page, total)`` of the public records ``query`` selects."""
    publications = filtered_publications(query)
    offset = (query.page - 1) * query.page_size
    if query.circle:
        lat, lon, radius = query.circle
        candidates = publications.values_list("pk", "latitude", "longitude")
        inside = [pk for pk, plat, plon in candidates[:MAX_CIRCLE_CANDIDATES]
                  if distance_m(lat, lon, plat, plon) <= radius]
        chosen = inside[offset:offset + query.page_size]
        rows = public_rows(FeedbackPublication.objects.filter(pk__in=chosen).order_by(
            *NEWEST_FIRST)) if chosen else []
        return rows, len(inside)
    rows = public_rows(publications[offset:offset + query.page_size])
    return rows, cached_count(publications, query)


def cached_count(publications, query):
    """How many records ``query`` selects, kept for ``COUNT_SECONDS`` under the
    publications' cache version (publishing, unpublishing and status changes bump it).

    Counting is the one step that grows with the window (every public record of 90
    days is looked at); the page itself reads only its rows.
    """
    # The dates as asked: the default window moves with the clock, not its key.
    filters = (query.ids, query.service_codes, query.status, query.bbox, query.dates_asked)
    digest = hashlib.sha256(repr(filters).encode()).hexdigest()[:24]
    key = f"palaute:open311:count:{publications_version()}:{digest}"
    total = cache.get(key)
    if total is None:
        total = publications.count()
        cache.set(key, total, COUNT_SECONDS)
    return total


def unpublished_rows(references, published):
    """Cases asked for by id that have no public record: their id, topic, status and dates.

    Never a rejected case, one whose resident asked that it is not published (anyone
    walking the sequential references would learn that a case of a sensitive topic came in,
    and when), one of a sensitive service (a category whose answers need approval: housing
    counselling, say; only its published records are shown), nor a new case of a
    pre-moderated API key (its token holds back the id until staff take the case up): each
    is the same 404 as an unknown id.
    """
    wanted = [ref for ref in references if ref not in published]
    if not wanted:
        return []
    cases = (Feedback.objects.filter(reference__in=wanted, publish_consent=True,
                                     category__answer_approvers__isnull=True)
             .exclude(status=Feedback.Status.REJECTED)
             .exclude(status=Feedback.Status.NEW, open311__api_key__pre_moderation=True)
             .order_by("-created_at", "-pk"))
    return as_dicts(cases, CASE_FIELDS)


class RequestSerializer:
    """Turns rows into the spec's dicts; ``extensions`` adds Helsinki's fields."""

    def __init__(self, request, *, extensions=False):
        self.request = request
        self.extensions = extensions
        self.language = current_language()
        self._photo_base = None

    def photos_of(self, rows):
        """``{publication pk: [full photo URL, ...]}`` in one query."""
        pks = [row["pk"] for row in rows]
        if not pks:
            return {}
        tokens = {}
        for publication_id, token in (PublicPhoto.objects.filter(publication_id__in=pks)
                                      .order_by("sort_order", "pk")
                                      .values_list("publication_id", "token")):
            tokens.setdefault(publication_id, []).append(token)
        if not tokens:
            return {}
        base = self.photo_base()
        if base is None:
            return {}
        prefix, suffix = base
        return {pk: [f"{prefix}{token}{suffix}" for token in found]
                for pk, found in tokens.items()}

    def photo_base(self):
        """``(prefix, suffix)`` of a public photo's full URL on the site's feedback page."""
        pages = FeedbackPage.objects.live().order_by("pk")
        page = (pages.filter(locale__language_code=self.language).first() or pages.first())
        if page is None:
            return None
        url = self.request.build_absolute_uri(page.get_url(request=self.request)
                                              + page.reverse_subpage(
                                                  "published_photo_view", args=["TOKEN", "full"]))
        prefix, suffix = url.split("TOKEN")
        return prefix, suffix

    def public(self, rows):
        photos = self.photos_of(rows)
        return [self.public_item(row, photos.get(row["pk"], [])) for row in rows]

    def public_item(self, row, media):
        name = row.get(f"name_{self.language}") or row["name_fi"]
        item = {
            "service_request_id": row["reference"],
            "status": public_status(row["status"]),
            "status_notes": row["answer"] or None,
            "service_name": name,
            "service_code": row["service_code"],
            "description": row["text"],
            "agency_responsible": None,
            "service_notice": None,
            "requested_datetime": w3c(row["requested"]),
            "updated_datetime": w3c(row["updated"]),
            "expected_datetime": expected(row),
            "address": None,
            "address_id": None,
            "zipcode": None,
            "lat": row["latitude"],
            "long": row["longitude"],
            "media_url": media[0] if media else None,
        }
        if self.extensions:
            item.update({"detailed_status": row["status"].upper(), "title": row["title"],
                         "media": media})
        return item

    def unpublished(self, rows):
        items = []
        for row in rows:
            item = {
                "service_request_id": row["reference"],
                "status": public_status(row["status"]),
                "service_code": row["service_code"],
                "requested_datetime": w3c(row["requested"]),
                "updated_datetime": w3c(row["updated"]),
                "expected_datetime": expected(row),
            }
            if self.extensions:
                item["detailed_status"] = row["status"].upper()
            items.append(item)
        return items


def expected(row):
    """``expected_datetime``: when the case "is expected to be fulfilled" (GeoReport v2).

    The day staff gave when they moved the case to the work list (the end of that day,
    as the resident's status page and email say "done by"), otherwise the case's due time
    (``due_at``: its category's expected response days from its arrival, as the
    submission's ``service_notice`` promises). ``None`` only for a case with neither."""
    if row["expected"] is not None:
        return w3c(timezone.make_aware(datetime.combine(row["expected"], time(23, 59, 59))))
    return w3c(row["due"])
