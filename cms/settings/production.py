import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY for production.")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "www.tornio.fi").split(",") if h]
CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]
# Links in staff emails: the public address of the admin (system check palaute_plugin.E012).
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Every email goes through the outbox and its retries, Wagtail's workflow notifications and
# password resets too (palaute_plugin/mail.py); the outbox sends through SMTP.
EMAIL_BACKEND = "palaute_plugin.mail.QueuedEmailBackend"
PALAUTE_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "cms.storage.StaticFilesStorage"
    },
}

# Feedback photos in an S3-compatible bucket (private; staff see them only through the
# admin's permission-checked view). Credentials come from boto3's usual sources
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or an instance role). Without a bucket,
# photos go to the folder PALAUTE_PHOTO_ROOT, which must be shared by web and workers.
if os.environ.get("PALAUTE_PHOTO_S3_BUCKET"):
    STORAGES["palaute_photos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["PALAUTE_PHOTO_S3_BUCKET"],
            "endpoint_url": os.environ.get("PALAUTE_PHOTO_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("PALAUTE_PHOTO_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
