"""The public face of moderated cases: the list, one case, the map and its GeoJSON.

Only ``FeedbackPublication`` rows that are live (and not of a rejected case)
reach these views; anything else is the same 404 as an unknown reference. The
list and the GeoJSON are cached under a version that publishing, unpublishing
and status changes bump (``publication.actions.bump_publications_version``).
"""

import hashlib
import json
import math
from urllib.parse import urlencode

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from ..conf import palaute_setting
from ..models import Feedback, FeedbackCategory, current_language
from ..publication.actions import publications_version
from ..publication.models import FeedbackPublication
from ..publication.nearby import OPEN_STATUSES
from ..publication.photos import PublicPhoto

GEOJSON_PATH = "julkiset/kartta.geojson"
PAGE_SIZE = 20
#: At most this many points per GeoJSON answer, newest first (the whole world included).
MAX_FEATURES = 500
CACHE_SECONDS = 60 * 60
PUBLIC_STATUSES = [(value, capfirst(label)) for value, label in Feedback.Status.choices
                   if value != Feedback.Status.REJECTED]


class PublicationFilterForm(forms.Form):
    """The list's filters, as a ``GET`` form that works without JavaScript."""

    category = forms.ModelChoiceField(
        label=_("Topic"), required=False, queryset=FeedbackCategory.objects.none(),
        empty_label=_("All topics"))
    kind = forms.ChoiceField(
        label=_("Kind"), required=False,
        choices=[("", _("All kinds"))] + [(v, capfirst(lbl)) for v, lbl in Feedback.Kind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses"))] + PUBLIC_STATUSES)
    since = forms.DateField(label=_("Published on or after"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Published on or before"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = FeedbackCategory.objects.filter(active=True)
        self.fields["category"].label_from_instance = lambda category: category.name

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("category"):
            queryset = queryset.filter(category=data["category"])
        for name in ("kind", "status"):
            if data.get(name):
                queryset = queryset.filter(**{"kind" if name == "kind" else "shown_status":
                                              data[name]})
        if data.get("since"):
            queryset = queryset.filter(first_published_at__date__gte=data["since"])
        if data.get("until"):
            queryset = queryset.filter(first_published_at__date__lte=data["until"])
        return queryset


class CappedPaginator(Paginator):
    """Counts at most ``MAX_COUNTED`` rows, so the list's cost does not grow with
    the number of published cases; later pages than that are not offered."""

    MAX_COUNTED = 10_000

    @cached_property
    def count(self):
        return self.object_list[:self.MAX_COUNTED].count()

    @property
    def capped(self):
        return self.count >= self.MAX_COUNTED


def public_publications():
    return (FeedbackPublication.objects.public().select_related("category")
            .order_by("-first_published_at", "-pk"))


#: The list's parameters that change what it shows; anything else is left out of the key.
LIST_PARAMS = ("category", "kind", "status", "since", "until", "page")
#: Longer values are not valid for any of them (a bad value answers 400, never cached).
MAX_PARAM_CHARS = 40
MAX_PAGES = CappedPaginator.MAX_COUNTED // PAGE_SIZE
#: The GeoJSON's box is rounded outwards to this many decimals (about 1 km): nearby
#: boxes share one cached answer, and a box of junk digits cannot make new keys.
BBOX_DECIMALS = 2


def list_query_key(query):
    """The list's query normalised: known parameters only, sorted, values trimmed and
    numbers written one way, so that junk parameters cannot fill the cache."""
    parts = []
    for name in LIST_PARAMS:
        value = query.get(name, "").strip()
        if name == "category" and value.isdigit():
            value = str(int(value))
        elif name == "page":
            # The paginator shows page 1 for anything but a number, the last page
            # for a number past it.
            value = str(min(int(value), MAX_PAGES + 1)) if value.isdigit() else ""
            value = "" if value == "1" else value
        if value:
            parts.append((name, value[:MAX_PARAM_CHARS + 1]))
    return urlencode(parts)


def round_bbox(bbox):
    """The box rounded outwards to ``BBOX_DECIMALS`` and kept within the world."""
    scale = 10 ** BBOX_DECIMALS
    south, west, north, east = bbox
    return (max(-90.0, math.floor(south * scale) / scale),
            max(-180.0, math.floor(west * scale) / scale),
            min(90.0, math.ceil(north * scale) / scale),
            min(180.0, math.ceil(east * scale) / scale))


def cache_key(page, name, normalised_query):
    query = hashlib.sha256(normalised_query.encode()).hexdigest()[:16]
    return (f"palaute:public:{name}:{page.pk}:{current_language()}:"
            f"{publications_version()}:{query}")


def cached(page, name, normalised_query, render):
    """The response body from the cache, or rendered and stored."""
    key = cache_key(page, name, normalised_query)
    hit = cache.get(key)
    if hit is None:
        response = render()
        if hasattr(response, "render"):
            response.render()
        if response.status_code != 200:
            return response
        hit = (response.content, response["Content-Type"])
        cache.set(key, hit, CACHE_SECONDS)
    content, content_type = hit
    return HttpResponse(content, content_type=content_type)


def publication_urls(page):
    """``url(reference)`` for many publications, resolving the page's URL once."""
    base = page.url + page.reverse_subpage("published_detail_view", args=["REF"])
    prefix, suffix = base.split("REF")
    return lambda reference: f"{prefix}{reference}{suffix}"


def published_list_view(request, page):
    def render():
        form = PublicationFilterForm(request.GET or None)
        publications = public_publications()
        if form.is_bound and form.is_valid():
            publications = form.filter(publications)
        page_obj = CappedPaginator(publications, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        url = publication_urls(page)
        items = [(item, url(item.reference)) for item in page_obj]
        context = {"page": page, "self": page, "form": form, "page_obj": page_obj,
                   "items": items, "query": query.urlencode(),
                   "map_url": page.url + page.reverse_subpage("published_map_view")}
        return TemplateResponse(request, "palaute_plugin/public/published_list.html", context,
                                status=200 if not form.errors else 400)
    return cached(page, "list", list_query_key(request.GET), render)


def published_detail_view(request, page, reference):
    publication = public_publications().filter(reference=reference).first()
    if publication is None:
        raise Http404
    photos = [
        (page.url + page.reverse_subpage("published_photo_view", args=[photo.token, "full"]),
         page.url + page.reverse_subpage("published_photo_view", args=[photo.token, "thumb"]))
        for photo in publication.public_photos.all()]
    context = {"page": page, "self": page, "publication": publication, "photos": photos,
               "list_url": page.url + page.reverse_subpage("published_list_view"),
               "metoo_url": (page.url + page.reverse_subpage("metoo_view", args=[reference])
                             if publication.shown_status in OPEN_STATUSES else "")}
    return TemplateResponse(request, "palaute_plugin/public/published_detail.html", context)


def parse_bbox(value):
    """``south,west,north,east`` in degrees, clamped to the world; ``ValueError`` if bad."""
    parts = [float(part) for part in value.split(",")]
    if len(parts) != 4 or any(part != part for part in parts):  # NaN is not equal to itself
        raise ValueError("four numbers needed")
    south, west, north, east = parts
    if south > north or west > east:
        raise ValueError("inverted")
    return (max(south, -90.0), max(west, -180.0), min(north, 90.0), min(east, 180.0))


GEOJSON_FIELDS = ("reference", "title", "shown_status", "latitude", "longitude", "category_id")


def features(rows, url, category_names):
    """GeoJSON features from ``values_list(*GEOJSON_FIELDS)`` rows (no model instances:
    a full map area has hundreds of points)."""
    statuses = {value: str(capfirst(label)) for value, label in Feedback.Status.choices}
    return [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": {"reference": reference, "title": title, "status": statuses[status],
                       "category": category_names.get(category_id, ""),
                       "url": url(reference)},
    } for reference, title, status, latitude, longitude, category_id in rows]


def published_geojson_view(request, page):
    try:
        # Without a box: the city's area, or the world (capped) when none is set.
        bbox = parse_bbox(request.GET.get("bbox") or ",".join(
            str(value) for value in palaute_setting("AREA_BOUNDS") or (-90, -180, 90, 180)))
    except ValueError:
        return HttpResponseBadRequest(
            json.dumps({"error": "bbox must be south,west,north,east in degrees"}),
            content_type="application/json")

    bbox = round_bbox(bbox)

    def render():
        south, west, north, east = bbox
        # No ordering: the (live, latitude, longitude) index serves the box alone;
        # sorting by date would scan the newest of every place first.
        publications = public_publications().filter(
            latitude__gte=south, latitude__lte=north,
            longitude__gte=west, longitude__lte=east).order_by()[:MAX_FEATURES]
        rows = list(publications.values_list(*GEOJSON_FIELDS))
        names = {category.pk: category.name for category in
                 FeedbackCategory.objects.filter(pk__in={row[-1] for row in rows})}
        url = publication_urls(page)
        items = features(rows, url, names)
        return JsonResponse({"type": "FeatureCollection", "features": items,
                             "truncated": len(items) >= MAX_FEATURES},
                            content_type="application/geo+json")
    return cached(page, "geojson", ",".join(f"{value:.{BBOX_DECIMALS}f}" for value in bbox),
                  render)


def published_map_view(request, page):
    publications = public_publications().filter(latitude__isnull=False)[:MAX_FEATURES]
    url = publication_urls(page)
    items = [(item, url(item.reference)) for item in publications]
    context = {"page": page, "self": page, "items": items,
               "geojson_url": page.url + GEOJSON_PATH,
               "list_url": page.url + page.reverse_subpage("published_list_view"),
               "tile_url": _tile_url()}
    return TemplateResponse(request, "palaute_plugin/public/published_map.html", context)


def _tile_url():
    from django.conf import settings

    return getattr(settings, "GEO_WIDGET_LEAFLET_TILE_LAYER",
                   "https://tile.openstreetmap.org/{z}/{x}/{y}.png")


def geojson_dispatch(request, page_path):
    """Find the live feedback page at ``page_path`` of this site and serve its GeoJSON."""
    from ..models import FeedbackPage

    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    components = [component for component in page_path.split("/") if component]
    page, _args, _kwargs = site.root_page.localized.specific.route(request, components)
    page = page.specific
    if not isinstance(page, FeedbackPage) or not page.live:
        raise Http404
    if not accepts_request(page, request):
        return JsonResponse({"error": "this page is not public"}, status=403)
    return page.published_geojson_view(request)


def accepts_request(page, request):
    """Whether the page's view restrictions (Wagtail's privacy: a password, a login or
    groups, its own or an ancestor's) let this request see it. Wagtail checks them
    before serving a page's routes; this URL is outside its page serving."""
    return all(restriction.accept_request(request)
               for restriction in page.get_view_restrictions())


PHOTO_FIELDS = {"full": "image", "thumb": "thumbnail"}


def published_photo_view(request, page, token, size):
    """A public copy of a photo of a published case; 404 for anything else."""
    if size not in PHOTO_FIELDS:
        raise Http404
    photo = PublicPhoto.objects.filter(
        token=token, publication__in=FeedbackPublication.objects.public()).first()
    if photo is None:
        raise Http404
    try:
        handle = getattr(photo, PHOTO_FIELDS[size]).open("rb")
    except (OSError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    # Short: a photo a moderator withdraws must not live on in shared caches for long.
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
