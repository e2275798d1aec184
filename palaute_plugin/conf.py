"""Developer-owned settings (``PALAUTE_*``), with their defaults in one place.

Read them with ``palaute_setting("NAME")`` when used, never at import time, so
that ``override_settings`` in tests and per-site settings both work. ``checks.py``
checks every one of them (``manage.py check``); README.md lists them.
"""

from django.conf import settings

DEFAULTS = {
    # Photos
    "MAX_PHOTOS": 5,
    # All photos of one case: what it came with and what its follow-ups added.
    "MAX_PHOTOS_PER_CASE": 20,
    "PHOTO_MAX_BYTES": 15 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 50_000_000,
    # PNG, WebP and HEIC cannot be decoded at reduced size: cleaning one costs its
    # full size (about 12 bytes a pixel at the peak), so they get a lower cap.
    "PHOTO_MAX_FULL_DECODE_PIXELS": 24_000_000,
    # All photos of one submission together, refused while the resident waits.
    "SUBMISSION_MAX_PIXELS": 5 * 24_000_000,
    # A photo still being cleaned after this long is marked failed and its upload
    # (with its EXIF and GPS) deleted by the sweep (tasks.process_pending_photos),
    # which runs every 5 minutes. Keep it above django-q2's task timeout.
    "PHOTO_PROCESSING_MAX_SECONDS": 15 * 60,
    # Memory one photo's cleaning may add to a worker process, in MB (Linux:
    # RLIMIT_DATA while the task runs; beyond it the photo ends "failed", the worker
    # lives on). The worst photo the pixel caps let through peaks at about 360 MB
    # (a 24-megapixel WebP; bench/photo_processing.py). None: no bound.
    "PHOTO_WORKER_MEMORY_MB": 512,
    "PHOTO_MAX_EDGE": 2560,
    "PHOTO_THUMB_EDGE": 480,
    # The private folder for photos when STORAGES has no "palaute_photos" alias.
    # None: "palaute_private_media" beside MEDIA_ROOT (photos/storage.py).
    "PHOTO_ROOT": None,
    # Posts above this many bytes are refused before they are read (None: what
    # MAX_PHOTOS photos of PHOTO_MAX_BYTES and the form can take at most).
    "MAX_REQUEST_BYTES": None,
    # Message
    "MESSAGE_MIN_LENGTH": 10,
    "MESSAGE_MAX_LENGTH": 5000,
    # Anti-spam, no third party involved
    "MIN_SUBMIT_SECONDS": 3,
    "FORM_MAX_AGE_SECONDS": 2 * 60 * 60,
    # Accepted submissions per client address ("count/period", django-ratelimit's
    # syntax). Generous, because a school, a library or a mobile carrier's NAT puts
    # many residents behind one address; invalid posts are not counted.
    "RATE_LIMIT": "30/h",
    # "Me too": how long the confirmation link in the email works.
    "METOO_CONFIRM_MAX_AGE_SECONDS": 3 * 24 * 60 * 60,
    # Site-wide, in the same period: at SITE_ALERT_COUNT staff are alerted (once per
    # period); at SITE_RATE_LIMIT the form pauses for everyone until the period ends.
    "SITE_ALERT_COUNT": 200,
    "SITE_RATE_LIMIT": "1000/h",
    # Who hears of a flood; empty: the members of ADMIN_GROUP_NAME with an email.
    "ALERT_EMAILS": (),
    # How many reverse proxies of our own are in front of the site (see proxies.py).
    "TRUSTED_PROXY_COUNT": 0,
    # A phone number shown when the form cannot be used (rate limit, flood).
    "CONTACT_PHONE": "",
    # The area residents may mark on the map: (south, west, north, east) in degrees.
    # None: anywhere.
    "AREA_BOUNDS": None,
    # Where an empty map opens: (latitude, longitude). None: the centre of AREA_BOUNDS,
    # or wagtailgeowidget's GEO_WIDGET_DEFAULT_LOCATION without bounds.
    "MAP_CENTER": None,
    # Looks up typed addresses and pins (geo.Geocoder subclass, dotted path).
    "GEOCODER": "palaute_plugin.geo.NoGeocoder",
    # geo.NominatimGeocoder: the service's base URL (…/search and …/reverse below it),
    # seconds to wait for an answer, and the User-Agent its usage policy asks for.
    "GEOCODER_URL": "",
    "GEOCODER_TIMEOUT": 3,
    "GEOCODER_USER_AGENT": "palaute-plugin (City feedback service)",
    # Address suggestions and pin lookups per client address (the form debounces typing).
    "SUGGEST_RATE_LIMIT": "120/m",
    # Open311 reads (every GET under /open311/v2/) per client address.
    "OPEN311_READ_RATE_LIMIT": "120/m",
    # "Me too" forms posted per client address, and confirmation emails to one address
    # (all cases together). One case and address get one email per confirmation period.
    "METOO_RATE_LIMIT": "10/h",
    "METOO_EMAIL_RATE_LIMIT": "5/d",
    # Email delivery retries
    "EMAIL_MAX_ATTEMPTS": 8,
    "EMAIL_RETRY_BASE_SECONDS": 60,
    # None: a little over django-q2's task timeout (see tasks.sending_lease_seconds).
    "EMAIL_SENDING_LEASE_SECONDS": None,
    # The backend that sends the outbox's emails. None: EMAIL_BACKEND. Set it when
    # EMAIL_BACKEND is palaute_plugin.mail.QueuedEmailBackend (mail.py), which puts the
    # emails of Wagtail and Django (workflow notifications, password resets) in the outbox.
    "EMAIL_DELIVERY_BACKEND": None,
    # The response clock (insights/clock.py): the assignee is reminded this many working
    # days before a case is due (0: no reminders); handlers get their daily digest on the
    # first run of the reminder schedule after this local hour (0-23).
    "REMINDER_WORKING_DAYS": 2,
    "DIGEST_HOUR": 7,
    # Retention (insights/retention.py), counted from closing: the resident's contact
    # details (name, email, phone) are removed after CONTACT months and photos after PHOTO
    # months. KEEP_MESSAGES: the message stays with personal data replaced by a marker
    # (True) or is removed too (False). Cases on legal hold and open cases are never touched.
    "RETENTION_CONTACT_MONTHS": 24,
    "RETENTION_PHOTO_MONTHS": 12,
    "RETENTION_KEEP_MESSAGES": True,
    # Reference numbers: PREFIX + "2026-00042"
    "REFERENCE_PREFIX": "",
    # The sender's name of the emails by their language ({"sv": "Torneå stad"}), with the
    # address of DEFAULT_FROM_EMAIL; a language not listed: DEFAULT_FROM_EMAIL as it is.
    "FROM_NAMES": {},
    # The group palaute_demo gives every category's feedback (view_all_feedback)
    "ADMIN_GROUP_NAME": "Palautteen pääkäyttäjät",
    # ``manage.py palaute_demo``: the page model ("app_label.ModelName") to create as the
    # site's home page. None: the demo uses the default site's root page as it is.
    "DEMO_HOME_PAGE": None,
    # The site's page models the demo's free-form forms and feedback-block page use.
    "DEMO_FORM_PAGE": None,
    "DEMO_CONTENT_PAGE": None,
    "DEMO_LINK_SETTINGS": None,
}


def palaute_setting(name):
    """Return ``settings.PALAUTE_<name>``, or its default."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown palaute setting: {name}")
    return getattr(settings, f"PALAUTE_{name}", DEFAULTS[name])
