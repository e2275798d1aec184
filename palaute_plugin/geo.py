"""Places: reading a map point, the city's area, distances and bounding boxes.

The one place for geometry: the public form, the staff screens, "already known"
candidates and the public map all use these. Distances are great-circle metres
(at 65° N a degree of longitude is less than half a degree of latitude,
so comparing raw degrees orders places wrongly).
"""

import json
import logging
import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .conf import palaute_setting

logger = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_000

POINT_RE = re.compile(
    r"^\s*(?:SRID=4326;)?POINT\s?\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)\s*$", re.I
)

def parse_point(value):
    """``SRID=4326;POINT(lon lat)`` (as wagtailgeowidget writes it) to ``(lat, lon)``."""
    match = POINT_RE.match(value or "")
    if not match:
        raise ValidationError(_("The place on the map could not be read. Mark it again."),
                              code="invalid_point")
    lon, lat = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(_("The coordinates are not valid. Mark the place again."),
                              code="out_of_world")
    return lat, lon


def within_city_area(lat, lon):
    """Whether the point is inside ``PALAUTE_AREA_BOUNDS`` (anywhere when it is ``None``)."""
    bounds = palaute_setting("AREA_BOUNDS")
    if bounds is None:
        return True
    south, west, north, east = bounds
    return south <= lat <= north and west <= lon <= east


def map_center():
    """``(lat, lon)`` where an empty map opens, or ``None`` for wagtailgeowidget's default.

    ``PALAUTE_MAP_CENTER`` if set, else the centre of ``PALAUTE_AREA_BOUNDS``.
    """
    center = palaute_setting("MAP_CENTER")
    if center is not None:
        lat, lon = center
        return float(lat), float(lon)
    bounds = palaute_setting("AREA_BOUNDS")
    if bounds is None:
        return None
    south, west, north, east = (float(v) for v in bounds)
    return (south + north) / 2, (west + east) / 2


def distance_m(lat1, lon1, lat2, lon2):
    """The great-circle (haversine) distance in metres between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def distance_between(first, second):
    """Metres between two things with ``latitude``/``longitude``; ``None`` if one has no place."""
    if None in (first.latitude, first.longitude, second.latitude, second.longitude):
        return None
    return distance_m(first.latitude, first.longitude, second.latitude, second.longitude)


def bounds_around(lat, lon, radius_m):
    """``(south, west, north, east)`` of a box that contains the circle of ``radius_m``."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * coslat)))
    return (max(-90.0, lat - dlat), max(-180.0, lon - dlon),
            min(90.0, lat + dlat), min(180.0, lon + dlon))


# --- geocoding: typed text to places and back ---------------------------------------


@dataclass(frozen=True)
class Place:
    """A place a geocoder knows: what to show the resident and where it is."""

    label: str
    latitude: float
    longitude: float


class Geocoder:
    """Finds places by what a resident types, and the nearest known address of a pin.

    Choose one with ``PALAUTE_GEOCODER`` (a dotted path to a subclass); override both
    methods. ``geocoder()`` builds it when used.
    """

    def search(self, text, *, language="fi", limit=5):
        """Places matching ``text``, best first, at most ``limit``."""
        raise NotImplementedError

    def reverse(self, latitude, longitude, *, language="fi"):
        """The nearest known :class:`Place` to a point, or ``None``."""
        raise NotImplementedError


class NoGeocoder(Geocoder):
    """The default: addresses stay plain text, and nothing is looked up."""

    def search(self, text, *, language="fi", limit=5):
        return []

    def reverse(self, latitude, longitude, *, language="fi"):
        return None


class InMemoryGeocoder(Geocoder):
    """A fixed list of places, matched by the start of their words: for tests and demos."""

    places = ()

    def __init__(self, places=None):
        if places is not None:
            self.places = tuple(places)

    def search(self, text, *, language="fi", limit=5):
        words = text.casefold().split()
        found = [place for place in self.places
                 if all(any(part.startswith(word) for part in place.label.casefold().split())
                        for word in words)]
        return found[:limit] if words else []

    def reverse(self, latitude, longitude, *, language="fi"):
        return min(self.places, default=None, key=lambda place: distance_m(
            latitude, longitude, place.latitude, place.longitude))


def geocoder():
    """The geocoder ``PALAUTE_GEOCODER`` names."""
    return import_string(palaute_setting("GEOCODER"))()


class NominatimGeocoder(Geocoder):
    """A Nominatim-compatible service the city runs (``PALAUTE_GEOCODER_URL``).

    Searches are limited to ``PALAUTE_AREA_BOUNDS`` when set. A slow, failing or
    strange answer is logged and treated as "nothing found": the resident can
    always type the address as plain text.
    """

    def search(self, text, *, language="fi", limit=5):
        text = " ".join(str(text).split())[:200]
        if not text:
            return []
        params = {"q": text, "format": "jsonv2", "addressdetails": 1, "limit": limit,
                  "accept-language": language}
        bounds = palaute_setting("AREA_BOUNDS")
        if bounds:
            south, west, north, east = bounds
            params.update(viewbox=f"{west},{north},{east},{south}", bounded=1)
        answer = self.fetch("search", params)
        if not isinstance(answer, list):
            return []
        return [place for place in map(self.place, answer[:limit]) if place is not None]

    def reverse(self, latitude, longitude, *, language="fi"):
        answer = self.fetch("reverse", {"lat": f"{latitude:.6f}", "lon": f"{longitude:.6f}",
                                        "format": "jsonv2", "addressdetails": 1, "zoom": 18,
                                        "accept-language": language})
        return self.place(answer) if isinstance(answer, dict) else None

    def fetch(self, endpoint, params):
        """The service's JSON answer, or ``None`` (logged) when there is none to use."""
        url = f"{palaute_setting('GEOCODER_URL').rstrip('/')}/{endpoint}?{urlencode(params)}"
        request = Request(url, headers={  # noqa: S310 (the URL is the operator's setting)
            "User-Agent": palaute_setting("GEOCODER_USER_AGENT"), "Accept": "application/json"})
        try:
            with urlopen(request, timeout=palaute_setting("GEOCODER_TIMEOUT")) as response:  # noqa: S310
                return json.loads(response.read(1_000_000))
        except (OSError, ValueError) as error:  # URLError, timeouts, bad JSON
            logger.warning("Geocoder %s failed: %s", endpoint, error)
            return None

    @staticmethod
    def place(item):
        """A :class:`Place` of one Nominatim result: "street number", else its name."""
        try:
            latitude, longitude = float(item["lat"]), float(item["lon"])
        except (KeyError, TypeError, ValueError):
            return None
        address = item.get("address") or {}
        street = " ".join(filter(None, [address.get("road") or address.get("pedestrian"),
                                        address.get("house_number")]))
        # A house or a road is named by its address; a landmark by its own name.
        is_address = item.get("category") == "highway" or address.get("house_number")
        label = street if is_address else (item.get("name") or street)
        label = label or str(item.get("display_name") or "").split(",")[0].strip()
        if not label:
            return None
        return Place(label[:255], latitude, longitude)
