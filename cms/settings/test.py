import os

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, DATABASES, Q_CLUSTER, csp_directives

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"

# Tasks run synchronously in tests; the qcluster test starts a real worker
# with PALAUTE_Q_SYNC=0.
Q_CLUSTER["sync"] = os.environ.get("PALAUTE_Q_SYNC", "1") == "1"

# No test reaches the internet: tiles come from our own static files.
GEO_WIDGET_LEAFLET_TILE_LAYER = "/static/palaute_plugin/img/blank-tile.png"
CONTENT_SECURITY_POLICY = {"DIRECTIVES": csp_directives(GEO_WIDGET_LEAFLET_TILE_LAYER)}
ADMIN_CSP_DIRECTIVES = csp_directives(GEO_WIDGET_LEAFLET_TILE_LAYER, admin=True)

PALAUTE_PHOTO_ROOT = os.environ.get(
    "PALAUTE_PHOTO_ROOT", str(BASE_DIR / "var" / "test-private-media")
)
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The anti-spam minimum fill time is tested on its own; elsewhere it is off.
PALAUTE_MIN_SUBMIT_SECONDS = 0

if not os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES["default"]["KEY_PREFIX"] = "palaute-test"  # noqa: F405

# The SQLite test database lives in memory (``--reuse-db`` keeps one in var/, see
# tests/conftest.py). tests/test_qcluster.py copies it to a file for the real
# `manage.py qcluster` it starts, which is pointed at that file, its own queue name
# (a shared Redis must not hand our tasks to another run) and an email folder.
if os.environ.get("PALAUTE_TEST_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["PALAUTE_TEST_DB_NAME"]
Q_CLUSTER["name"] = os.environ.get("PALAUTE_Q_NAME") or f"palaute-test-{os.getpid()}"
if os.environ.get("PALAUTE_TEST_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["PALAUTE_TEST_EMAIL_DIR"]
