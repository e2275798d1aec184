"""Developer-owned settings (``PALAUTE_*``), with their defaults in one place.

Read them with ``palaute_setting("NAME")`` when used, never at import time, so
that ``override_settings`` in tests and per-site settings both work.
"""

from django.conf import settings

DEFAULTS = {
    # Photos
    "MAX_PHOTOS": 5,
    "PHOTO_MAX_BYTES": 15 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 50_000_000,
    "PHOTO_MAX_EDGE": 2560,
    "PHOTO_THUMB_EDGE": 480,
    "PHOTO_ROOT": None,  # None: a folder beside MEDIA_ROOT (see photos/storage.py)
    # Message
    "MESSAGE_MIN_LENGTH": 10,
    "MESSAGE_MAX_LENGTH": 5000,
    # Anti-spam, no third party involved
    "MIN_SUBMIT_SECONDS": 3,
    "FORM_MAX_AGE_SECONDS": 2 * 60 * 60,
    "RATE_LIMIT_COUNT": 10,
    "RATE_LIMIT_WINDOW_SECONDS": 60 * 60,
    "TRUST_X_FORWARDED_FOR": False,
    # The city's area: (south, west, north, east). Tornio with a generous margin.
    "AREA_BOUNDS": (65.55, 23.55, 66.45, 24.95),
    # Email delivery retries
    "EMAIL_MAX_ATTEMPTS": 8,
    "EMAIL_RETRY_BASE_SECONDS": 60,
    "EMAIL_SENDING_LEASE_SECONDS": 15 * 60,
    # Reference numbers
    "REFERENCE_PREFIX": "",
    # The group palaute_demo gives every category's feedback (view_all_feedback)
    "ADMIN_GROUP_NAME": "Palautteen pääkäyttäjät",
}


def palaute_setting(name):
    """Return ``settings.PALAUTE_<name>``, or its default."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown palaute setting: {name}")
    return getattr(settings, f"PALAUTE_{name}", DEFAULTS[name])
