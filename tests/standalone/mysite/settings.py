"""A plain Wagtail site with the feedback plugin, set up as README.md's
"Install into your own Wagtail site" tells a developer. No ``cms`` or ``home``:
``tests/standalone/run.sh`` copies this folder out of the repository and installs
the built wheel, so the plugin can only come from the package.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "standalone-smoke-test-only-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

INSTALLED_APPS = [
    # The feedback plugin and what it needs (system check palaute_plugin.E011).
    "palaute_plugin",
    "wagtail.contrib.routable_page",
    "wagtailgeowidget",
    "django_filters",
    "django_q",
    # A plain Wagtail site, as `wagtail start` makes it.
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "palaute_plugin.public.middleware.UploadSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "mysite.urls"
CSRF_FAILURE_VIEW = "palaute_plugin.public.csrf.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The plugin's pages extend the site's own "base.html".
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fi", "Suomi"), ("sv", "Svenska")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Leaflet and jQuery for the map, from Python packages (system check palaute_plugin.E010).
    "palaute_plugin.finders.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Feedback photos: private, outside MEDIA_ROOT and STATIC_ROOT (palaute_plugin.E014),
    # served to staff only through the plugin's permission-checked view.
    "palaute_photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BASE_DIR / "private_photos", "base_url": None},
    },
}

WAGTAIL_SITE_NAME = "Example municipality"
# The public address of the admin: links in staff emails (palaute_plugin.E012).
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "https://feedback.example.org")

# Emails and photo cleaning go through django-q2: run `manage.py qcluster` beside the web
# server. The ORM broker keeps the queue in the default database.
Q_CLUSTER = {"name": "mysite", "orm": "default", "workers": 2, "timeout": 60, "retry": 120,
             "max_attempts": 1}
DEFAULT_FROM_EMAIL = "Example municipality <feedback@example.org>"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Anti-spam counters live in the cache: one shared by every web process in production.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Every PALAUTE_* setting, with its default (palaute_plugin/conf.py).
PALAUTE_MAX_PHOTOS = 5
PALAUTE_PHOTO_MAX_BYTES = 15 * 1024 * 1024
PALAUTE_PHOTO_MAX_PIXELS = 50_000_000
PALAUTE_PHOTO_MAX_EDGE = 2560
PALAUTE_PHOTO_THUMB_EDGE = 480
PALAUTE_PHOTO_ROOT = None  # only used without STORAGES["palaute_photos"]
PALAUTE_MESSAGE_MIN_LENGTH = 10
PALAUTE_MESSAGE_MAX_LENGTH = 5000
PALAUTE_MIN_SUBMIT_SECONDS = 3
PALAUTE_FORM_MAX_AGE_SECONDS = 2 * 60 * 60
PALAUTE_RATE_LIMIT = "30/h"
PALAUTE_SITE_ALERT_COUNT = 200
PALAUTE_SITE_RATE_LIMIT = "1000/h"
PALAUTE_ALERT_EMAILS = ()
PALAUTE_TRUSTED_PROXY_COUNT = 0
PALAUTE_CONTACT_PHONE = ""
PALAUTE_MAX_REQUEST_BYTES = None
PALAUTE_AREA_BOUNDS = None  # (south, west, north, east)
PALAUTE_MAP_CENTER = None  # (latitude, longitude)
PALAUTE_GEOCODER = "palaute_plugin.geo.NoGeocoder"
PALAUTE_EMAIL_MAX_ATTEMPTS = 8
PALAUTE_EMAIL_RETRY_BASE_SECONDS = 60
PALAUTE_EMAIL_SENDING_LEASE_SECONDS = None
PALAUTE_REFERENCE_PREFIX = ""
PALAUTE_ADMIN_GROUP_NAME = "Palautteen pääkäyttäjät"
PALAUTE_DEMO_HOME_PAGE = None
