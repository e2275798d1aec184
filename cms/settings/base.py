"""Settings shared by every environment of the city's Wagtail site."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")

INSTALLED_APPS = [
    "home",
    "palaute_plugin",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailgeowidget",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_q",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "cms.csp.SiteCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before CSRF, which reads the body: refuses oversized posts unread.
    "palaute_plugin.public.middleware.UploadSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The staff member's admin language around Wagtail's views too (its refusals, 404s).
    "palaute_plugin.staff.middleware.AdminLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # A view that only read is run again when the database dropped its connection.
    "palaute_plugin.public.middleware.RetryAfterLostConnectionMiddleware",
    # Last, as django-axes asks: locks out repeated failed admin logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login brute force: 5 failures for one username from one address lock that
# pair for 15 minutes (locking the username alone would let anyone lock staff out).
# Unlock early in the admin (Settings → Login lockouts) or `manage.py axes_reset`.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
# The same trusted-proxy rule as the feedback rate limits (PALAUTE_TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "palaute_plugin.proxies.client_address"

ROOT_URLCONF = "cms.urls"
# A styled, translated page that keeps the resident's text (see palaute_plugin/public/csrf.py).
CSRF_FAILURE_VIEW = "palaute_plugin.public.csrf.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# SQLite by default (one command, one machine); DATABASE_URL for PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web requests and the qcluster share the file: wait for locks, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A kept connection that the server dropped (restart, failover, pg_terminate_backend)
    # is noticed and replaced at the start of the next request or task, instead of
    # failing it with a 500 (bench/faults.py, scenario d).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Finnish is the default; Swedish and English are complete.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Leaflet and jQuery from their Python packages, never from a CDN.
    "palaute_plugin.finders.VendorFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "static_collected"
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Photos are streamed to disk above this size, never held whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

WAGTAIL_SITE_NAME = "Tornion kaupunki"
# The dashboard's check for a new Wagtail release fetches releases.wagtail.org from each
# staff member's browser: the admin's CSP refuses it (three console errors on every
# dashboard), and the city's admin reaches nothing outside. Upgrades follow the lock file.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]

# Redis is django-q2's broker and the cache when REDIS_URL is set; otherwise
# the ORM broker on the default database (no server to install).
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": "palaute",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 60,
    "retry": 120,
    "max_attempts": 1,
    "catch_up": False,
    # A worker whose resident memory ever reached this (kB) is replaced after its
    # task, so memory a costly photo left fragmented is given back
    # (PALAUTE_PHOTO_WORKER_MEMORY_MB bounds the photo itself).
    "max_rss": 1_000_000,
    "label": _("Task queue"),
}


def redis_cache(url):
    """The shared cache on Redis, as a cache should be: optional.

    While Redis restarts, reads miss and writes are skipped (django-redis'
    IGNORE_EXCEPTIONS, logged) instead of every page answering 500: Wagtail's site
    root paths, the form's cached fields and the rate limits (which then let
    feedback through) all read the cache (bench/faults.py, scenario c).
    """
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    Q_CLUSTER["orm"] = "default"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "palaute_cache",
        }
    }

# Behind how many reverse proxies of our own the site runs (0: none; see proxies.py).
PALAUTE_TRUSTED_PROXY_COUNT = int(os.environ.get("PALAUTE_TRUSTED_PROXY_COUNT", "0"))
# Shown to residents when the form cannot take more (rate limit, flood).
PALAUTE_CONTACT_PHONE = os.environ.get("PALAUTE_CONTACT_PHONE", "016 432 11")

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tornion kaupunki <palaute@tornio.fi>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The sender's name in the email's language (the address is DEFAULT_FROM_EMAIL's).
PALAUTE_FROM_NAMES = {"fi": "Tornion kaupunki", "sv": "Torneå stad", "en": "City of Tornio"}

# Maps: Leaflet is served from our own static files (xstatic-leaflet); the
# tile server is a setting, so a city can point it at its own tile proxy.
GEO_WIDGET_DEFAULT_LOCATION = {"lat": 65.8481, "lng": 24.1466}
GEO_WIDGET_ZOOM = 13
GEO_WIDGET_LEAFLET_TILE_LAYER = os.environ.get(
    "PALAUTE_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
GEO_WIDGET_LEAFLET_TILE_LAYER_OPTIONS = {
    "attribution": "&copy; OpenStreetMap contributors",
}


def csp_directives(tile_layer, admin=False):
    """The Content-Security-Policy; the tile server's origin is allowed for images."""
    tiles = urlsplit(tile_layer)
    tile_origin = [f"{tiles.scheme}://{tiles.netloc}"] if tiles.netloc else []
    directives = {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *tile_origin],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
    if admin:
        # Wagtail's admin has inline scripts (its date widgets) and style attributes,
        # and previews pages in frames; still nothing from another origin.
        directives.update({
            "script-src": [SELF, UNSAFE_INLINE],
            "style-src": [SELF, UNSAFE_INLINE],
            "frame-src": [SELF],
            "frame-ancestors": [SELF],
        })
    return directives


CONTENT_SECURITY_POLICY = {"DIRECTIVES": csp_directives(GEO_WIDGET_LEAFLET_TILE_LAYER)}
ADMIN_CSP_DIRECTIVES = csp_directives(GEO_WIDGET_LEAFLET_TILE_LAYER, admin=True)
# Nothing on the site uses these; the feedback form alone allows geolocation ("use my
# location"), see palaute_plugin/public/views.py.
PERMISSIONS_POLICY = {
    "camera": [], "microphone": [], "geolocation": [], "payment": [], "usb": [],
    "accelerometer": [], "gyroscope": [], "magnetometer": [], "display-capture": [],
}

# Feedback photos are private: stored outside MEDIA_ROOT, served only by a
# permission-checked view.
PALAUTE_PHOTO_ROOT = os.environ.get("PALAUTE_PHOTO_ROOT", str(BASE_DIR / "private_media"))
# Tornio with a generous margin: places outside are refused on the form.
PALAUTE_AREA_BOUNDS = (65.55, 23.55, 66.45, 24.95)
PALAUTE_MAP_CENTER = (65.8481, 24.1466)
# The local geocoder: the places editors keep (palaute_demo adds a few; import the
# city's own with `manage.py palaute_import_places`).
PALAUTE_GEOCODER = "palaute_plugin.places.geocoder.PlacesGeocoder"
# palaute_demo builds the city's home page from the site's own page type.
PALAUTE_DEMO_HOME_PAGE = "home.HomePage"
PALAUTE_DEMO_FORM_PAGE = "home.FormPage"
PALAUTE_DEMO_CONTENT_PAGE = "home.ContentPage"
PALAUTE_DEMO_LINK_SETTINGS = "home.FeedbackLinkSettings"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "palaute_plugin": {"handlers": ["console"], "level": "INFO"},
        # With DEBUG off Django only emails a 500's traceback to ADMINS: log it too.
        "django.request": {"handlers": ["console"], "level": "ERROR"},
        # Redis errors the cache ignored (see redis_cache()).
        "django_redis": {"handlers": ["console"], "level": "WARNING"},
    },
}

# Staff avatars would otherwise come from gravatar.com: nothing leaves the city's servers.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# A stuck SMTP connection fails the attempt (it is retried) instead of hanging a worker.
EMAIL_TIMEOUT = 20
