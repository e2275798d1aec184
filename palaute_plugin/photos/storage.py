"""Where feedback photos are kept: the ``palaute_photos`` storage alias.

Set ``STORAGES["palaute_photos"]`` to any Django storage, for example
django-storages' S3 backend with a private bucket (``default_acl="private"``,
``querystring_auth=True``): photos are still served only through the staff's
permission-checked view. Without the alias, photos go to a folder on disk,
``PALAUTE_PHOTO_ROOT``, which must be outside ``MEDIA_ROOT`` and ``STATIC_ROOT``.

The storage is looked up when first used, and again after the settings change
(``override_settings`` in tests), never at import.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from ..conf import palaute_setting

STORAGE_ALIAS = "palaute_photos"


def photo_root():
    """The private folder used when no ``palaute_photos`` storage is configured."""
    configured = palaute_setting("PHOTO_ROOT")
    if configured:
        return os.path.abspath(configured)
    # Beside MEDIA_ROOT, never inside it: the web server must not serve these files.
    media_root = os.path.abspath(settings.MEDIA_ROOT or "media")
    return os.path.join(os.path.dirname(media_root), "palaute_private_media")


def build_photo_storage():
    if STORAGE_ALIAS in settings.STORAGES:
        return storages[STORAGE_ALIAS]
    return FileSystemStorage(location=photo_root(), base_url=None)


class PhotoStorage(LazyObject):
    def _setup(self):
        self._wrapped = build_photo_storage()


_photo_storage = PhotoStorage()


def photo_storage():
    """The storage of feedback photos (``FileField(storage=photo_storage)``)."""
    return _photo_storage


@receiver(setting_changed)
def _reset_photo_storage(setting, **kwargs):
    if setting in ("STORAGES", "PALAUTE_PHOTO_ROOT", "MEDIA_ROOT"):
        _photo_storage._wrapped = empty


def drop_upload(row):
    """Delete the upload of a committed photo row, then forget its name (in that order:
    a process killed in between leaves the name, so the file is found and deleted)."""
    if row.upload:
        row.upload.storage.delete(row.upload.name)  # a missing file is not an error
        type(row).objects.filter(pk=row.pk, upload=row.upload.name).update(upload="")
        row.upload = ""
