"""The public face of moderated cases: the list, one case, the map and its GeoJSON.

Only ``FeedbackPublication`` rows that are live (and not of a rejected case)
reach these views; anything else is the same 404 as an unknown reference. The
list and the GeoJSON are cached under a version that publishing, unpublishing
and status changes bump (``publication.actions.bump_publications_version``).
"""

import hashlib
import json
import math
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.core.signals import setting_changed
from django.db.models.expressions import RawSQL
from django.dispatch import receiver
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    QueryDict,
)
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from ..conf import palaute_setting
from ..models import Feedback, FeedbackCategory, current_language
from ..numbers import is_whole_number, whole_number
from ..publication.actions import CACHE_VERSION_KEY as PUBLICATIONS_VERSION_KEY
from ..publication.actions import publications_version
from ..publication.models import FeedbackPublication
from ..publication.nearby import OPEN_STATUSES
from ..publication.photos import PublicPhoto
from .caching import VERSION_KEY as CATEGORIES_VERSION_KEY
from .caching import active_categories, categories_version
from .imagefiles import PHOTO_SIZES, photo_response

GEOJSON_PATH = "julkiset/kartta.geojson"
PAGE_SIZE = 20
#: At most this many points per GeoJSON answer, newest first (the whole world included).
MAX_FEATURES = 500
#: The records listed beside the map on its page (the newest; the list has them all).
MAP_LIST_ITEMS = 50
CACHE_SECONDS = 60 * 60
PUBLIC_STATUSES = [(value, capfirst(label)) for value, label in Feedback.Status.choices
                   if value != Feedback.Status.REJECTED]


class TopicField(forms.TypedChoiceField):
    """A category's id among the choices; ``03`` or `` 3`` is ``3``, as the cache key has it
    (``list_query_key``) and as the model choice field this was took it."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        number = whole_number(value)
        return value if number is None else str(number)


class PublicationFilterForm(forms.Form):
    """The list's filters, as a ``GET`` form that works without JavaScript.

    The topics are the active categories from ``caching.active_categories()`` (the shared
    cache, read again after any category change), so that checking a chosen topic needs
    no query; ``cleaned_data["category"]`` is the category's id.
    """

    category = TopicField(
        label=_("Topic"), required=False, coerce=int, empty_value=None,
        # The words of the model choice field this was: a wrong topic reads as before.
        error_messages={"invalid_choice":
                        forms.ModelChoiceField.default_error_messages["invalid_choice"]})
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
        self.fields["category"].choices = self.topic_choices(active_categories())

    def topic_choices(self, categories):
        """The topics as the resident form groups them: a group with subtopics is an
        ``<optgroup>`` whose first option is the whole group, then its subtopics."""
        ids = {category.pk for category in categories}
        self.subtopics = {}
        for category in categories:
            if category.parent_id in ids:
                self.subtopics.setdefault(category.parent_id, []).append(category)
        choices = [("", _("All topics"))]
        for category in categories:
            if category.parent_id in ids:
                continue
            if category.pk in self.subtopics:
                choices.append((category.name, [
                    (category.pk, _("%(group)s: all topics") % {"group": category.name}),
                    *((sub.pk, sub.name) for sub in self.subtopics[category.pk])]))
            else:
                choices.append((category.pk, category.name))
        return choices

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("category"):
            chosen = data["category"]
            if chosen in self.subtopics:
                # A group: its own records and its subtopics' (those no longer offered
                # too), as ids (a join to the category's group would scan every record).
                queryset = queryset.filter(category_id__in=[chosen, *FeedbackCategory.objects
                                           .filter(parent_id=chosen).values_list("pk", flat=True)])
            else:
                queryset = queryset.filter(category_id=chosen)
        for name in ("kind", "status"):
            if data.get(name):
                queryset = queryset.filter(**{"kind" if name == "kind" else "shown_status":
                                              data[name]})
        # Local days as the instants they begin at: a range of the column itself, which
        # its index serves (a ``__date`` lookup casts every row's time to a local date).
        since, until = data.get("since"), data.get("until")
        if since and (start := start_of_day(since)) is not None:
            queryset = queryset.filter(first_published_at__gte=start)
        if until and until < date.max:
            queryset = queryset.filter(first_published_at__lt=start_of_day(
                until + timedelta(days=1)))
        return queryset


def start_of_day(day):
    """The instant (aware, UTC) at which the local day ``day`` begins: its midnight in the
    current time zone (Europe/Helsinki; midnight is never skipped or repeated there, the
    clocks turn at 3 and 4 o'clock). None for a day whose start is before the first
    instant a datetime can hold (1 January of year 1 east of Greenwich): no bound."""
    try:
        return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone()).astimezone(
            UTC)
    except OverflowError:
        return None


class CappedPaginator(Paginator):
    """Counts at most ``MAX_COUNTED`` rows, so the list's cost does not grow with
    the number of published cases; later pages than that are not offered.

    The count reads ``counted`` (the rows' ids: no columns shown, no join) without an
    order: any ``MAX_COUNTED`` of them count the same, so PostgreSQL reads the first
    entries of one partial index of the public records alone (``palaute_pub_status``,
    ``_category``, ``_kind``) instead of sorting by date. ``get_page`` reads it in the
    same query as the page's rows (one query, not two, on a cache miss).
    """

    MAX_COUNTED = 10_000
    #: From this many rows skipped on, a page's rows are found by their ids (``rows``).
    DEFERRED_FROM = 100

    def __init__(self, object_list, per_page, counted=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counted = object_list if counted is None else counted

    def capped_counted(self):
        return self.counted.order_by()[:self.MAX_COUNTED]

    @cached_property
    def count(self):
        return self.capped_counted().count()

    def rows(self, number, object_list=None):
        """Page ``number``'s rows. Far into the list they are found by their ids: the ids
        of the page (and of the rows skipped before it) are read in order from the
        filter's partial index alone, and only the page's rows are fetched; without that
        PostgreSQL read page 500 of a common status, topic or kind by walking all public
        records by date (88 ms). Near the start the plain query is as quick, and shorter."""
        object_list = self.object_list if object_list is None else object_list
        bottom = (number - 1) * self.per_page
        if bottom < self.DEFERRED_FROM:
            return object_list[bottom:bottom + self.per_page]
        return object_list.filter(pk__in=self.counted[bottom:bottom + self.per_page])

    def page(self, number):
        number = self.validate_number(number)
        return self._get_page(self.rows(number), number, self)

    def get_page(self, number):
        """As ``Paginator.get_page`` (the last page for a number past it), the count read
        with the page's rows as one more column. Page 1 for anything but digits, as
        ``list_query_key`` has it (``-1`` was the last page, cached as page 1's)."""
        number = whole_number(number)
        number = 1 if number is None else number  # (0 is past the first: the last page)
        # Past the pages a capped count offers: Django's way (the count, the last page),
        # never rows read that far into the list.
        if 1 <= number <= math.ceil(self.MAX_COUNTED / self.per_page):
            sql, params = self.capped_counted().query.sql_with_params()
            # The ORM's own SQL and parameters, counted in a subquery.
            counted = RawSQL(f"SELECT COUNT(*) FROM ({sql}) capped", params)  # noqa: S608, S611
            rows = list(self.rows(number, self.object_list.annotate(capped_count=counted)))
            if rows or number == 1:
                self.__dict__["count"] = rows[0][-1] if rows else 0
            if rows and number <= self.num_pages or number == 1:
                return self._get_page([row[:-1] for row in rows], number, self)
        return super().get_page(number)

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
        if name == "category" and is_whole_number(value):
            value = str(int(value))
        elif name == "page":
            # The paginator shows page 1 for anything but a number, the last page
            # for a number past it.
            value = str(min(int(value), MAX_PAGES + 1)) if is_whole_number(value) else ""
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
    return f"palaute:public:{name}:{page.pk}:{current_language()}:{query}"


def cached(page, name, normalised_query, render):
    """The response body from the cache, or ``render(versions)``'s, stored.

    A body is kept with the publications' and the categories' versions it was rendered
    at (the list and the map show the categories' names, and the list's filter offers
    the active ones): read with both versions in one cache round trip, and served only
    while both are current. A later render overwrites it (no old versions pile up).
    """
    key = cache_key(page, name, normalised_query)
    found = cache.get_many([PUBLICATIONS_VERSION_KEY, CATEGORIES_VERSION_KEY, key])
    publications = found.get(PUBLICATIONS_VERSION_KEY)
    categories = found.get(CATEGORIES_VERSION_KEY)
    versions = (publications_version() if publications is None else publications,
                categories_version() if categories is None else categories)
    entry = found.get(key)
    if entry is None or entry[0] != versions:
        response = render(versions)
        if hasattr(response, "render"):
            response.render()
        if response.status_code != 200:
            return response
        entry = (versions, response.content, response["Content-Type"])
        cache.set(key, entry, CACHE_SECONDS)
    _versions, content, content_type = entry
    return HttpResponse(content, content_type=content_type)


def publication_urls(page, request=None):
    """``url(reference)`` for many publications, resolving the page's URL once (with
    the request: from the site root paths the request has already read)."""
    base = page.get_url(request) + page.reverse_subpage("published_detail_view", args=["REF"])
    prefix, suffix = base.split("REF")
    return lambda reference: f"{prefix}{reference}{suffix}"


#: The list's parameters that the filter form reads.
FILTER_PARAMS = ("category", "kind", "status", "since", "until")
FILTERS_TEMPLATE = "palaute_plugin/public/published_filters.html"
#: The filter form with nothing chosen, per language: ``(categories version, HTML)``.
_UNFILTERED_FORMS = {}


def unfiltered_form_html(categories):
    """The filter form with nothing chosen, rendered once per categories version and
    language in each process (under ``DEBUG`` every time: templates are reloaded)."""
    language = get_language()
    found = _UNFILTERED_FORMS.get(language)
    if found is not None and found[0] == categories and not settings.DEBUG:
        return found[1]
    html = render_to_string(FILTERS_TEMPLATE, {"form": PublicationFilterForm()})
    _UNFILTERED_FORMS[language] = (categories, html)
    return html


@receiver(setting_changed)
def forget_unfiltered_forms(**kwargs):
    _UNFILTERED_FORMS.clear()


#: One row of the list (as ``format_html`` fills it: every value escaped).
LIST_ITEM = '<li>\n    <h3><a href="{}">{}</a></h3>\n    <p>{} · {} · {}</p>\n  </li>'


def list_items_html(page_obj, url):
    """The page's rows as HTML, written here rather than by a template loop: twenty rows
    of five values each are a good part of a list's render on a cache miss."""
    statuses = {value: capfirst(str(label)) for value, label in Feedback.Status.choices}
    return format_html_join("\n  ", LIST_ITEM, (
        (url(reference), title, name or name_fi or "", statuses.get(status, status),
         day_month_year(published))
        for reference, title, status, published, name, name_fi in page_obj))


def day_month_year(moment):
    """``moment`` as the ``date:"j.n.Y"`` filter writes it (local time): ``5.3.2026``."""
    if moment is None:
        return ""
    day = timezone.localtime(moment)
    return f"{day.day}.{day.month}.{day.year}"


def list_rows(publications):
    """Only what the list shows, without model instances; the category's name in the
    active language, else in Finnish."""
    return publications.values_list(
        "reference", "title", "shown_status", "first_published_at",
        f"category__name_{current_language()}", "category__name_fi")


def chosen_filters(query):
    """``(form, query string)`` of the list's filters in ``query``: ``(None, "")`` when none
    is chosen; the query string holds the filters only, and only when they are valid."""
    if not any(query.get(name) for name in FILTER_PARAMS):
        return None, ""
    form = PublicationFilterForm(query)
    return form, filters_query(query) if form.is_valid() else ""


def filters_query(query):
    """The list's filters of ``query`` as a query string, nothing else it carried."""
    kept = QueryDict(mutable=True)
    for name in FILTER_PARAMS:
        if query.get(name):
            kept[name] = query[name]
    return kept.urlencode()


def filters_key(form):
    """The valid filters of ``chosen_filters`` as a cache key: their cleaned values, dates
    in ISO form (a date typed another way is the same key), nothing else."""
    if form is None:
        return ""
    parts = []
    for name in FILTER_PARAMS:
        value = form.cleaned_data.get(name)
        if value:
            parts.append((name, value.isoformat() if isinstance(value, date) else str(value)))
    return urlencode(parts)


def with_query(url, query):
    return f"{url}?{query}" if query else url


def relative_to_list(page, name, *args):
    """The subpage's URL relative to the list's (``julkiset/``): the list's links need
    neither the page's URL nor the site root paths it is found from (a cache round trip)."""
    listed = page.reverse_subpage("published_list_view")
    target = page.reverse_subpage(name, args=args)
    if not target.startswith(listed):
        raise ValueError(f"{name} is not under the list's URL")
    return target[len(listed):]


def published_list_view(request, page):
    def render(versions):
        publications = public_publications()
        form = None
        if any(request.GET.get(name) for name in FILTER_PARAMS):
            form = PublicationFilterForm(request.GET)
            if form.is_valid():
                publications = form.filter(publications)
            filters = render_to_string(FILTERS_TEMPLATE, {"form": form})
        else:
            # Nothing chosen: the form is the same for everyone, and valid.
            filters = unfiltered_form_html(versions[1])
        page_obj = CappedPaginator(list_rows(publications), PAGE_SIZE,
                                   counted=publications.values("pk")).get_page(
            request.GET.get("page"))
        # The pages' links keep the filters only: the page is cached for every visitor
        # with the same filters, so nothing else this address carried may be in it.
        query = filters_query(request.GET)
        prefix, suffix = relative_to_list(page, "published_detail_view", "REF").split("REF")
        context = {"page": page, "self": page, "form": form, "filters": filters,
                   "page_obj": page_obj,
                   "items": list_items_html(page_obj, lambda ref: f"{prefix}{ref}{suffix}"),
                   "query": query,
                   # The map shows what the list shows.
                   "map_url": with_query(relative_to_list(page, "published_map_view"), query)}
        return TemplateResponse(request, "palaute_plugin/public/published_list.html", context,
                                status=400 if form is not None and form.errors else 200)
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
    if len(parts) != 4 or not all(math.isfinite(part) for part in parts):  # NaN, infinity
        raise ValueError("four numbers needed")
    south, west, north, east = parts
    if south > north or west > east:
        raise ValueError("inverted")
    return (min(max(south, -90.0), 90.0), min(max(west, -180.0), 180.0),
            max(min(north, 90.0), -90.0), max(min(east, 180.0), -180.0))


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
    # The list's filters, as the map page passes them on (``published_map_view``).
    form, _query = chosen_filters(request.GET)
    if form is not None and form.errors:
        return HttpResponseBadRequest(
            json.dumps({"error": "invalid filters", "fields": sorted(form.errors)}),
            content_type="application/json")

    def render(_versions):
        south, west, north, east = bbox
        publications = public_publications()
        if form is not None:
            publications = form.filter(publications)
        # No ordering: the (live, latitude, longitude) index serves the box alone;
        # sorting by date would scan the newest of every place first.
        publications = publications.filter(
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
    box = ",".join(f"{value:.{BBOX_DECIMALS}f}" for value in bbox)
    return cached(page, "geojson", f"{box}&{filters_key(form)}", render)


def published_map_view(request, page):
    """The published cases on a map: those the list's filters chose, when it links here
    with them (the GeoJSON it loads gets the same filters)."""
    form, filter_query = chosen_filters(request.GET)
    publications = public_publications().filter(latitude__isnull=False)
    if form is not None and not form.errors:
        publications = form.filter(publications)
    url = publication_urls(page)
    # Beside the map, for browsers without JavaScript: the newest few, then the list
    # (the map's script lists the records in its area instead).
    newest = list(publications[:MAP_LIST_ITEMS + 1])
    items = [(item, url(item.reference)) for item in newest[:MAP_LIST_ITEMS]]
    list_url = page.url + page.reverse_subpage("published_list_view")
    context = {"page": page, "self": page, "items": items,
               "geojson_url": with_query(page.url + GEOJSON_PATH, filter_query),
               "list_url": with_query(list_url, filter_query),
               "more_than_listed": len(newest) > MAP_LIST_ITEMS,
               "listed_count": MAP_LIST_ITEMS,
               "filtered": bool(filter_query), "filters_refused": form is not None and
               bool(form.errors),
               "all_url": page.url + page.reverse_subpage("published_map_view"),
               "tile_url": _tile_url()}
    return TemplateResponse(request, "palaute_plugin/public/published_map.html", context,
                            status=400 if context["filters_refused"] else 200)


def _tile_url():
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


def published_photo_view(request, page, token, size):
    """A public copy of a photo of a published case; 404 for anything else."""
    if size not in PHOTO_SIZES:
        raise Http404
    photo = PublicPhoto.objects.filter(
        token=token, publication__in=FeedbackPublication.objects.public()).first()
    response = photo_response(photo, size)
    # Short: a photo a moderator withdraws must not live on in shared caches for long.
    response["Cache-Control"] = "public, max-age=300"
    return response
