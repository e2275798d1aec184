"""Developer-owned settings (``PALAUTE_*``), with their defaults in one place.

Read them with ``palaute_setting("NAME")`` when used, never at import time, so
that ``override_settings`` in tests and per-site settings both work. ``checks.py``
checks every one of them (``manage.py check``); README.md lists them.
"""

from django.conf import settings

DEFAULTS = {
    # Photos
    "MAX_PHOTOS": 5,
    "PHOTO_MAX_BYTES": 15 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 50_000_000,
    "PHOTO_MAX_EDGE": 2560,
    "PHOTO_THUMB_EDGE": 480,
    # The private folder for photos when STORAGES has no "palaute_photos" alias.
    # None: "palaute_private_media" beside MEDIA_ROOT (photos/storage.py).
    "PHOTO_ROOT": None,
    # Message
    "MESSAGE_MIN_LENGTH": 10,
    "MESSAGE_MAX_LENGTH": 5000,
    # Anti-spam, no third party involved
    "MIN_SUBMIT_SECONDS": 3,
    "FORM_MAX_AGE_SECONDS": 2 * 60 * 60,
    "RATE_LIMIT_COUNT": 10,
    "RATE_LIMIT_WINDOW_SECONDS": 60 * 60,
    "TRUST_X_FORWARDED_FOR": False,
    # The area residents may mark on the map: (south, west, north, east) in degrees.
    # None: anywhere.
    "AREA_BOUNDS": None,
    # Where an empty map opens: (latitude, longitude). None: the centre of AREA_BOUNDS,
    # or wagtailgeowidget's GEO_WIDGET_DEFAULT_LOCATION without bounds.
    "MAP_CENTER": None,
    # Email delivery retries
    "EMAIL_MAX_ATTEMPTS": 8,
    "EMAIL_RETRY_BASE_SECONDS": 60,
    "EMAIL_SENDING_LEASE_SECONDS": 15 * 60,
    # Reference numbers: PREFIX + "2026-00042"
    "REFERENCE_PREFIX": "",
    # The group whose members see and handle every case
    "ADMIN_GROUP_NAME": "Palautteen pääkäyttäjät",
    # ``manage.py palaute_demo``: the page model ("app_label.ModelName") to create as the
    # site's home page. None: the demo uses the default site's root page as it is.
    "DEMO_HOME_PAGE": None,
}


def palaute_setting(name):
    """Return ``settings.PALAUTE_<name>``, or its default."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown palaute setting: {name}")
    return getattr(settings, f"PALAUTE_{name}", DEFAULTS[name])
