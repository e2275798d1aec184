"""``paikat/``: the address suggestions of the form (JSON), for its combobox and its map.

``?q=text`` lists places matching what the resident types; ``?lat=…&lon=…`` names
the nearest known place of a pin. Both ask ``geo.geocoder()`` and are rate limited
per client (``ratelimit.suggestions_limited``). Answers are JSON only: the page's own
static script (``address-search.js``) renders them.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .. import geo
from ..models import current_language
from . import ratelimit

MAX_QUERY_LENGTH = 200
MIN_QUERY_LENGTH = 2
MAX_SUGGESTIONS = 6


def error(message, status):
    return JsonResponse({"results": [], "error": str(message)}, status=status)


def place_json(place):
    return {"label": place.label, "lat": round(place.latitude, 6),
            "lon": round(place.longitude, 6)}


@never_cache
@ratelimit.with_retry_after
def place_search_view(request, page):
    if request.method != "GET":
        return error(_("Use GET."), 405)
    text, latitude, longitude = (request.GET.get(key) for key in ("q", "lat", "lon"))
    if text is None and (latitude is None or longitude is None):
        return error(_("Give q, or lat and lon."), 400)
    if text is not None and len(text) > MAX_QUERY_LENGTH:
        return error(_("The text is too long."), 400)
    if text is None:
        try:
            point = geo.parse_point(f"POINT({longitude} {latitude})")
        except geo.ValidationError:
            return error(_("lat and lon must be coordinates in degrees."), 400)
    if ratelimit.suggestions_limited(request):
        return error(_("Too many searches in a short time. Type the address as text."), 429)
    language = current_language()
    if text is not None:
        if len(text.strip()) < MIN_QUERY_LENGTH:
            return JsonResponse({"results": []})
        found = geo.geocoder().search(text, language=language, limit=MAX_SUGGESTIONS)
        return JsonResponse({"results": [place_json(place) for place in found
                                         if geo.within_city_area(place.latitude,
                                                                 place.longitude)]})
    nearest = None
    if geo.within_city_area(*point):
        nearest = geo.geocoder().reverse(*point, language=language)
    return JsonResponse({"results": [place_json(nearest)] if nearest else []})
