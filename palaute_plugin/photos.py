"""Photo handling: check, clean and store residents' photos privately."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from .conf import palaute_setting


def photo_storage():
    """Storage outside the web root; files are served only by a permission-checked view."""
    location = palaute_setting("PHOTO_ROOT") or settings.PALAUTE_PHOTO_ROOT
    return FileSystemStorage(location=location, base_url=None)
