"""Reading the query of ``GET requests``: each bad value is an ``ApiError`` (400)."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from ..geo import within_city_area
from ..numbers import whole_number
from .render import ApiError

#: The spec's default window and largest one, and its cap on results. A page holds
#: ``DEFAULT_PAGE_SIZE`` unless ``page_size`` asks for more (``X-Result-Count`` tells
#: the total), so that the default answer costs the same however busy the window.
MAX_WINDOW = timedelta(days=90)
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100
MAX_IDS = 200
MAX_RADIUS_M = 100_000
REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,29}$")
SERVICE_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")
LANGUAGES = ("fi", "sv", "en")
#: A locale's language: its first subtag, however the rest is written (``sv_FI``, ``en-GB``).
LOCALE = re.compile(r"\s*([A-Za-z]{2,3})(?![A-Za-z])")
#: The years a date may name: a window reaches 90 days around it.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def bad(message):
    return ApiError(400, message)


@dataclass
class RequestQuery:
    """What ``GET requests`` asks for, checked."""

    ids: list
    service_codes: list
    start: object
    end: object
    status: str
    page: int
    page_size: int
    bbox: tuple | None
    circle: tuple | None
    extensions: bool
    dates_asked: tuple = ("", "")


def comma_list(value, pattern, message):
    items = [item.strip() for item in value.split(",")]
    if not items or any(not pattern.match(item) for item in items):
        raise bad(message)
    return items


def w3c_datetime(value, name):
    """A W3C datetime (a ``+`` that came through a URL unencoded is a space) or a date."""
    text = value.strip().replace(" ", "+")
    try:
        parsed = parse_datetime(text)
        if parsed is None and (day := parse_date(text)) is not None:
            parsed = datetime.combine(day, time.min)
    except ValueError:
        parsed = None
    if parsed is None:
        raise bad(_("%(name)s must be a W3C datetime, e.g. 2026-11-30T08:00:00+02:00.")
                  % {"name": name})
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:  # (its window would overflow)
        raise bad(_("%(name)s must be between the years %(first)s and %(last)s.")
                  % {"name": name, "first": EARLIEST_YEAR, "last": LATEST_YEAR})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def positive_int(value, name, default, maximum=None):
    if value in (None, ""):
        return default
    number = whole_number(value)
    if number is None or number < 1:
        raise bad(_("%(name)s must be a positive whole number.") % {"name": name})
    if maximum is not None and number > maximum:
        raise bad(_("%(name)s can be at most %(max)s.") % {"name": name, "max": maximum})
    return number


def number(value, name):
    try:
        result = float(value)
    except (TypeError, ValueError):
        result = float("nan")
    if result != result or result in (float("inf"), float("-inf")):
        raise bad(_("%(name)s must be a number.") % {"name": name})
    return result


def point(lat_value, long_value, *, in_city):
    """``(lat, long)`` in degrees, on the globe (and in the city's area if ``in_city``)."""
    lat, lon = number(lat_value, "lat"), number(long_value, "long")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise bad(_("The coordinates are outside the world."))
    if in_city and not within_city_area(lat, lon):
        raise bad(_("The place is outside the city's area."))
    return lat, lon


def bbox(value):
    """``south,west,north,east``; ``min_lat,min_long,max_lat,max_long`` likewise."""
    parts = value.split(",")
    if len(parts) != 4:
        raise bad(_("bbox must be south,west,north,east in degrees."))
    south, west, north, east = (number(part, "bbox") for part in parts)
    if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
        raise bad(_("bbox must be south,west,north,east in degrees."))
    return south, west, north, east


def window(get, now):
    end = w3c_datetime(get["end_date"], "end_date") if get.get("end_date") else None
    start = w3c_datetime(get["start_date"], "start_date") if get.get("start_date") else None
    if start is None and end is None:
        end = now
    if start is None:
        start = end - MAX_WINDOW
    if end is None:
        end = min(start + MAX_WINDOW, now) if start < now else start + MAX_WINDOW
    if start > end:
        raise bad(_("start_date must be before end_date."))
    if end - start > MAX_WINDOW:
        raise bad(_("The date window can be at most 90 days."))
    return start, end


def request_query(get, now=None):
    """Check ``request.GET`` of the list and return a :class:`RequestQuery`."""
    now = now or timezone.now()
    ids = codes = []
    if get.get("service_request_id"):
        ids = comma_list(get["service_request_id"], REQUEST_ID,
                         _("service_request_id must be a comma-separated list of ids."))
        if len(ids) > MAX_IDS:
            raise bad(_("At most %(max)s ids at a time.") % {"max": MAX_IDS})
    if get.get("service_code"):
        codes = comma_list(get["service_code"], SERVICE_CODE,
                           _("service_code must be a comma-separated list of codes."))
    statuses = {item.strip() for item in get.get("status", "").split(",") if item.strip()}
    if statuses - {"open", "closed"}:
        raise bad(_("status must be open or closed."))
    status = statuses.pop() if len(statuses) == 1 else ""
    circle = None
    if get.get("lat") or get.get("long") or get.get("radius"):
        lat, lon = point(get.get("lat"), get.get("long"), in_city=False)
        radius = positive_int(get.get("radius"), "radius", 1000, MAX_RADIUS_M)
        circle = (lat, lon, radius)
    start, end = window(get, now)
    return RequestQuery(
        ids=ids, service_codes=codes, start=start, end=end, status=status,
        page=positive_int(get.get("page"), "page", 1),
        page_size=positive_int(get.get("page_size"), "page_size", DEFAULT_PAGE_SIZE,
                               MAX_PAGE_SIZE),
        bbox=bbox(get["bbox"]) if get.get("bbox") else None, circle=circle,
        extensions=get.get("extensions", "").lower() == "true",
        dates_asked=(get.get("start_date", ""), get.get("end_date", "")),
    )


def language(get):
    """The language ``locale`` asks for (``fi``, ``sv``, ``en``; ``sv_FI``, ``en-GB`` and
    ``fi_FI.UTF-8`` name theirs), or ``None``: the site's default, as without ``locale``.

    GeoReport v2's ``locale`` is a preference: a client sends its device's (``de_DE``),
    so any other value, malformed ones included, is answered in the default language
    rather than refused."""
    match = LOCALE.match(get.get("locale", ""))
    code = match.group(1).lower() if match else None
    return code if code in LANGUAGES else None
