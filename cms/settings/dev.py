from .base import *  # noqa: F401,F403
from .base import BASE_DIR

DEBUG = True
SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

# Every email lands as a file you can read in var/sent-emails/, through the outbox as in
# production (Wagtail's workflow notifications too; the task worker sends them).
EMAIL_BACKEND = "palaute_plugin.mail.QueuedEmailBackend"
PALAUTE_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = BASE_DIR / "var" / "sent-emails"
