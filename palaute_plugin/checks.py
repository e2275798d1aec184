"""System checks: the ``PALAUTE_*`` settings and what the plugin needs from the site.

Errors (``palaute_plugin.E0xx``) stop ``manage.py check``; warnings (``W0xx``) fail
``check --fail-level WARNING``. README.md ("Install into your own Wagtail site") lists them.
"""

import os
import re
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError

from .conf import DEFAULTS, palaute_setting

#: Apps the plugin imports from or relies on at run time.
REQUIRED_APPS = (
    "wagtail",
    "wagtail.admin",
    "wagtail.snippets",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.forms",  # cases link the free-form form submission they came from
    "wagtailgeowidget",
    "modelcluster",
    "django_filters",
    "django_q",
    "django.contrib.staticfiles",
)
VENDOR_FINDER = "palaute_plugin.finders.VendorFinder"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 (names, not a bind)
#: Settings that must be whole numbers of at least 1 (E002) or at least 0 (E004).
POSITIVE_INTEGERS = (
    "MAX_PHOTOS", "MAX_PHOTOS_PER_CASE", "PHOTO_MAX_BYTES", "PHOTO_MAX_PIXELS",
    "PHOTO_MAX_FULL_DECODE_PIXELS",
    "SUBMISSION_MAX_PIXELS", "PHOTO_PROCESSING_MAX_SECONDS", "PHOTO_MAX_EDGE",
    "PHOTO_THUMB_EDGE",
    "MESSAGE_MAX_LENGTH", "FORM_MAX_AGE_SECONDS", "EMAIL_MAX_ATTEMPTS",
    "EMAIL_RETRY_BASE_SECONDS", "SITE_ALERT_COUNT", "METOO_CONFIRM_MAX_AGE_SECONDS",
    "RETENTION_CONTACT_MONTHS", "RETENTION_PHOTO_MONTHS",
)
#: Whole numbers of at least 1, or None for a value derived from other settings.
OPTIONAL_POSITIVE_INTEGERS = ("EMAIL_SENDING_LEASE_SECONDS", "MAX_REQUEST_BYTES",
                              "PHOTO_WORKER_MEMORY_MB")
NON_NEGATIVE_INTEGERS = ("MESSAGE_MIN_LENGTH", "MIN_SUBMIT_SECONDS", "TRUSTED_PROXY_COUNT",
                         "REMINDER_WORKING_DAYS")
#: django-ratelimit's "count/period" rates, e.g. "30/h".
RATES = ("RATE_LIMIT", "SITE_RATE_LIMIT", "SUGGEST_RATE_LIMIT", "OPEN311_READ_RATE_LIMIT",
         "METOO_RATE_LIMIT", "METOO_EMAIL_RATE_LIMIT")
RATE_RE = re.compile(r"^\d+/\d*[smhd]$")
#: ``Feedback.reference`` holds 30 characters; "2026-00042" takes 10 of them.
REFERENCE_PREFIX_MAX_LENGTH = 15


def is_integer(value, minimum):
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def as_box(value):
    """``(south, west, north, east)`` as floats, or ``None`` if it is not a valid box."""
    try:
        south, west, north, east = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    if -90 <= south < north <= 90 and -180 <= west < east <= 180:
        return south, west, north, east
    return None


def as_point(value):
    """``(lat, lon)`` as floats, or ``None`` if it is not a valid point."""
    try:
        lat, lon = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None


def is_inside(path, folder):
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return os.path.commonpath([path, folder]) == folder


@register(Tags.compatibility)
def check_unknown_settings(app_configs, **kwargs):
    return [
        Warning(f"{name} is not a setting of palaute_plugin.",
                hint="Check the spelling; README.md lists the PALAUTE_* settings.",
                id="palaute_plugin.W001")
        for name in dir(settings)
        if name.startswith("PALAUTE_") and name[len("PALAUTE_"):] not in DEFAULTS
    ]


@register(Tags.compatibility)
def check_numbers(app_configs, **kwargs):
    errors = [
        Error(f"PALAUTE_{name} must be a whole number of at least 1.", id="palaute_plugin.E002")
        for name in POSITIVE_INTEGERS if not is_integer(palaute_setting(name), 1)
    ]
    errors += [
        Error(f"PALAUTE_{name} must be a whole number of at least 1, or None.",
              id="palaute_plugin.E002")
        for name in OPTIONAL_POSITIVE_INTEGERS
        if palaute_setting(name) is not None and not is_integer(palaute_setting(name), 1)
    ]
    errors += [
        Error(f"PALAUTE_{name} must be a whole number of at least 0.", id="palaute_plugin.E004")
        for name in NON_NEGATIVE_INTEGERS if not is_integer(palaute_setting(name), 0)
    ]
    if errors:
        return errors
    if palaute_setting("MESSAGE_MIN_LENGTH") > palaute_setting("MESSAGE_MAX_LENGTH"):
        errors.append(Error(
            "PALAUTE_MESSAGE_MIN_LENGTH is larger than PALAUTE_MESSAGE_MAX_LENGTH.",
            id="palaute_plugin.E003"))
    if palaute_setting("PHOTO_THUMB_EDGE") > palaute_setting("PHOTO_MAX_EDGE"):
        errors.append(Warning(
            "PALAUTE_PHOTO_THUMB_EDGE is larger than PALAUTE_PHOTO_MAX_EDGE.",
            hint="Thumbnails are never larger than the photo: lower PALAUTE_PHOTO_THUMB_EDGE.",
            id="palaute_plugin.W003"))
    return errors


@register(Tags.compatibility)
def check_other_settings(app_configs, **kwargs):
    errors = [
        Error(f"PALAUTE_{name} must be a rate such as \"30/h\" (count/period, the period "
              "one of s, m, h, d).", id="palaute_plugin.E005")
        for name in RATES
        if not (isinstance(palaute_setting(name), str) and RATE_RE.match(palaute_setting(name)))
    ]
    alerts = palaute_setting("ALERT_EMAILS")
    if isinstance(alerts, str) or not all(
            isinstance(address, str) and "@" in address for address in alerts):
        errors.append(Error("PALAUTE_ALERT_EMAILS must be a list of email addresses.",
                            id="palaute_plugin.E015"))
    names = palaute_setting("FROM_NAMES")
    if not isinstance(names, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in names.items()):
        errors.append(Error("PALAUTE_FROM_NAMES must map languages to sender names, e.g. "
                            '{"sv": "Torneå stad"}.', id="palaute_plugin.E021"))
    if not isinstance(palaute_setting("CONTACT_PHONE"), str):
        errors.append(Error("PALAUTE_CONTACT_PHONE must be text.", id="palaute_plugin.E016"))
    prefix = palaute_setting("REFERENCE_PREFIX")
    if not isinstance(prefix, str) or len(prefix) > REFERENCE_PREFIX_MAX_LENGTH:
        errors.append(Error(
            f"PALAUTE_REFERENCE_PREFIX must be text of at most {REFERENCE_PREFIX_MAX_LENGTH} "
            "characters.", id="palaute_plugin.E006"))
    group = palaute_setting("ADMIN_GROUP_NAME")
    if not isinstance(group, str) or not group.strip() or len(group) > 150:
        errors.append(Error("PALAUTE_ADMIN_GROUP_NAME must be a group name (1–150 characters).",
                            id="palaute_plugin.E007"))
    return errors + check_demo_home_page() + check_email_delivery()


def check_email_delivery():
    """The outbox's own emails must leave through a backend that sends (mail.py)."""
    from .mail import BACKEND

    delivery = palaute_setting("EMAIL_DELIVERY_BACKEND")
    if delivery is not None and not isinstance(delivery, str):
        return [Error("PALAUTE_EMAIL_DELIVERY_BACKEND must be an email backend's dotted path.",
                      id="palaute_plugin.E020")]
    if (delivery or settings.EMAIL_BACKEND) == BACKEND:
        return [Error(
            "EMAIL_BACKEND puts emails in the outbox, and nothing would send them.",
            hint="Set PALAUTE_EMAIL_DELIVERY_BACKEND to the backend that sends, e.g. "
                 "\"django.core.mail.backends.smtp.EmailBackend\".",
            id="palaute_plugin.E020")]
    return []


@register(Tags.compatibility)
def check_clock_and_retention(app_configs, **kwargs):
    errors = []
    if not is_integer(palaute_setting("DIGEST_HOUR"), 0) or palaute_setting("DIGEST_HOUR") > 23:
        errors.append(Error("PALAUTE_DIGEST_HOUR must be an hour from 0 to 23.",
                            id="palaute_plugin.E018"))
    if not isinstance(palaute_setting("RETENTION_KEEP_MESSAGES"), bool):
        errors.append(Error("PALAUTE_RETENTION_KEEP_MESSAGES must be True or False.",
                            id="palaute_plugin.E019"))
    return errors


def check_demo_home_page():
    name = palaute_setting("DEMO_HOME_PAGE")
    if name is None:
        return []
    from wagtail.models import Page

    try:
        model = apps.get_model(name)
    except (LookupError, ValueError, TypeError):
        model = None
    if model is None or not issubclass(model, Page):
        return [Error("PALAUTE_DEMO_HOME_PAGE must name a page model, e.g. \"home.HomePage\".",
                      hint="Or leave it unset: the demo then uses the site's root page.",
                      id="palaute_plugin.E013")]
    return []


@register(Tags.compatibility)
def check_map(app_configs, **kwargs):
    bounds = palaute_setting("AREA_BOUNDS")
    box = as_box(bounds) if bounds is not None else None
    errors = []
    if bounds is not None and box is None:
        errors.append(Error(
            "PALAUTE_AREA_BOUNDS must be (south, west, north, east) in degrees, or None.",
            id="palaute_plugin.E001"))
    center = palaute_setting("MAP_CENTER")
    point = as_point(center) if center is not None else None
    if center is not None and point is None:
        errors.append(Error("PALAUTE_MAP_CENTER must be (latitude, longitude) in degrees, "
                            "or None.", id="palaute_plugin.E008"))
    if box and point:
        south, west, north, east = box
        if not (south <= point[0] <= north and west <= point[1] <= east):
            errors.append(Warning("PALAUTE_MAP_CENTER is outside PALAUTE_AREA_BOUNDS.",
                                  hint="The map would open where no place can be chosen.",
                                  id="palaute_plugin.W002"))
    return errors


@register(Tags.compatibility)
def check_geocoder(app_configs, **kwargs):
    from django.utils.module_loading import import_string

    from .geo import Geocoder, NominatimGeocoder

    path = palaute_setting("GEOCODER")
    try:
        geocoder_class = import_string(path)
    except (ImportError, TypeError, ValueError):
        geocoder_class = None
    if isinstance(geocoder_class, type) and issubclass(geocoder_class, NominatimGeocoder):
        return check_geocoder_service()
    if isinstance(geocoder_class, type) and issubclass(geocoder_class, Geocoder):
        return []
    return [Error("PALAUTE_GEOCODER must be the dotted path of a palaute_plugin.geo.Geocoder "
                  "subclass.", hint="The default is \"palaute_plugin.geo.NoGeocoder\".",
                  id="palaute_plugin.E017")]


def check_geocoder_service():
    errors = []
    if not str(palaute_setting("GEOCODER_URL")).startswith(("http://", "https://")):
        errors.append(Error("PALAUTE_GEOCODER_URL must be the http(s) address of the "
                            "Nominatim-compatible service.", id="palaute_plugin.E041"))
    timeout = palaute_setting("GEOCODER_TIMEOUT")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 30:
        errors.append(Error("PALAUTE_GEOCODER_TIMEOUT must be a number of seconds (0–30].",
                            hint="Residents wait for suggestions while they type.",
                            id="palaute_plugin.E042"))
    return errors


@register(Tags.compatibility)
def check_required_apps(app_configs, **kwargs):
    return [
        Error(f"palaute_plugin needs {app!r} in INSTALLED_APPS.", id="palaute_plugin.E011")
        for app in REQUIRED_APPS if not apps.is_installed(app)
    ]


@register(Tags.staticfiles)
def check_vendor_finder(app_configs, **kwargs):
    if VENDOR_FINDER in getattr(settings, "STATICFILES_FINDERS", ()):
        return []
    return [Error(f"STATICFILES_FINDERS lacks {VENDOR_FINDER!r}.",
                  hint="The map's Leaflet and jQuery files are served through it.",
                  id="palaute_plugin.E010")]


@register(Tags.security)
def check_photo_root(app_configs, **kwargs):
    from .photos.storage import build_photo_storage

    photo_root = palaute_setting("PHOTO_ROOT")
    if photo_root is not None and not isinstance(photo_root, str | os.PathLike):
        return [Error("PALAUTE_PHOTO_ROOT must be a folder path, or None.",
                      id="palaute_plugin.E009")]
    storage = build_photo_storage()
    if not isinstance(storage, FileSystemStorage):
        return []
    public = [name for name in ("MEDIA_ROOT", "STATIC_ROOT")
              if getattr(settings, name, None) and is_inside(storage.location,
                                                               getattr(settings, name))]
    return [Error(f"Feedback photos would be stored inside {name}, where the web server "
                  "serves them to anyone.",
                  hint="Set PALAUTE_PHOTO_ROOT (or STORAGES['palaute_photos']) to a "
                       "private folder outside MEDIA_ROOT and STATIC_ROOT.",
                  id="palaute_plugin.E014")
            for name in public]


@register(Tags.security)
def check_admin_base_url(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    base_url = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    host = urlsplit(base_url).hostname if "://" in base_url else None
    if host and host not in LOCAL_HOSTS:
        return []
    return [Error("WAGTAILADMIN_BASE_URL is not the site's public address, so the links in "
                  "staff emails would not work.",
                  hint="Set WAGTAILADMIN_BASE_URL, e.g. \"https://www.example.fi\".",
                  id="palaute_plugin.E012")]


@register(Tags.security, deploy=True)
def check_site_host(app_configs, **kwargs):
    """Residents' private links (receipt, status page, "me too") are made from the Wagtail
    site's host name, not from WAGTAILADMIN_BASE_URL: a fresh install keeps Wagtail's
    default site, "localhost" on port 80 (operator acceptance test, 2026-12-03)."""
    if settings.DEBUG:
        return []
    from wagtail.models import Site

    try:
        local = sorted({site.hostname for site in Site.objects.all()
                        if site.hostname in LOCAL_HOSTS})
    except DatabaseError:  # not migrated yet: nothing to say of its sites
        return []
    if not local:
        return []
    return [Warning(f"A Wagtail site's host name is {local[0]}: the private links in "
                    "residents' emails and on their receipts would point there.",
                    hint="In the admin under Settings → Sites, give the site its public host "
                         "name and port (e.g. palaute.tornio.fi, 443).",
                    id="palaute_plugin.W004")]


#: The blocks of the site's ``base.html`` the resident's pages fill in.
BASE_BLOCKS = ("title", "extra_head", "content", "extra_js")


def template_blocks(name, seen=()):
    """The block names of template ``name`` and of the templates it extends."""
    from django.template import loader
    from django.template.loader_tags import BlockNode, ExtendsNode

    template = loader.get_template(name).template
    names = {node.name for node in template.nodelist.get_nodes_by_type(BlockNode)}
    for node in template.nodelist.get_nodes_by_type(ExtendsNode):
        parent = getattr(node.parent_name, "var", None)
        parent = getattr(parent, "literal", parent)
        if isinstance(parent, str) and parent not in seen:
            names |= template_blocks(parent, (*seen, name))
    return names


@register(Tags.templates)
def check_base_template(app_configs, **kwargs):
    """Without ``extra_head`` Wagtail's own starter ``base.html`` served the form without
    its style sheets and the map unstyled, and ``manage.py check`` said nothing
    (integrator's acceptance test 2026-12-03)."""
    from django.template import TemplateDoesNotExist, TemplateSyntaxError

    try:
        blocks = template_blocks("base.html")
    except (TemplateDoesNotExist, TemplateSyntaxError) as error:
        return [Warning(f"The resident's pages extend base.html, which cannot be read: {error}",
                        id="palaute_plugin.W005")]
    missing = [name for name in BASE_BLOCKS if name not in blocks]
    if not missing:
        return []
    return [Warning(
        f"base.html has no block {', '.join(missing)}: the resident's pages put their "
        "style sheets, scripts and content in them.",
        hint="Add e.g. {% block extra_head %}{% endblock %} inside <head> "
             "(README: Install into your own Wagtail site, step 4).",
        id="palaute_plugin.W005")]
