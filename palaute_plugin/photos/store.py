"""Photos of a case in the database and in storage: saving, cleaning a received one, deleting.

``save_photos()`` stores photos under random names in the ``palaute_photos``
storage (see ``storage.py``). A photo checked while the resident waits
(:class:`~.images.IncomingPhoto`) is kept as received and cleaned by the
``process_photo`` task after the transaction commits.
"""

import logging
import secrets

from django.core.files.base import ContentFile
from django.db import transaction

from ..models import FeedbackPhoto
from ..queue import enqueue_after_commit
from .images import IncomingPhoto, clean_photo

logger = logging.getLogger(__name__)


def save_photos(feedback, photos, *, savepoint=True):
    """Store photos of a saved ``Feedback`` under random names; return the rows.

    A :class:`CleanedPhoto` is stored ready; an :class:`IncomingPhoto` is kept as
    received and cleaned by ``tasks.process_photo`` after the transaction commits.
    If a row fails, none is kept and the files are removed. A caller whose own
    transaction rolls back as a whole on any error may pass ``savepoint=False``
    to spare the two queries of a savepoint.
    """
    rows = []
    try:
        with transaction.atomic(savepoint=savepoint):
            for order, photo in enumerate(photos):
                row = FeedbackPhoto(feedback=feedback, sort_order=order)
                rows.append(row)
                if isinstance(photo, IncomingPhoto):
                    _save_upload(row, photo)
                else:
                    _save_cleaned(row, photo)
    except BaseException:
        for row in rows:
            delete_photo_files(row)
        raise
    return rows


def _save_upload(row, photo):
    row.state = row.State.PROCESSING
    row.upload.save(f"{secrets.token_hex(16)}.upload", photo.file, save=False)
    row.save()
    # If the broker is down, the periodic sweep processes it.
    enqueue_after_commit("palaute_plugin.tasks.process_photo", row.pk, f"photo-{row.pk}")


def _save_cleaned(row, photo):
    token = secrets.token_hex(16)
    row.width, row.height = photo.width, photo.height
    row.state = row.State.READY
    row.image.save(f"{token}.jpg", ContentFile(photo.image), save=False)
    row.thumbnail.save(f"{token}_t.jpg", ContentFile(photo.thumbnail), save=False)
    row.save()


def process_photo(photo_id):
    """Clean a received photo: write the image and thumbnail, delete the upload.

    Returns the photo's new state. A file that passed the quick checks but cannot
    be decoded ends ``failed``; its upload is deleted either way.
    """
    with transaction.atomic():
        row = (FeedbackPhoto.objects.select_for_update()
               .filter(pk=photo_id, state=FeedbackPhoto.State.PROCESSING).first())
        if row is None:
            return "skipped"
        try:
            with row.upload.open("rb") as upload:
                cleaned = clean_photo(ContentFile(upload.read(), name="photo"))
        except Exception as error:  # noqa: BLE001 (a hostile file must not loop forever)
            logger.warning("Photo %s could not be processed: %s", photo_id, error)
            row.state = FeedbackPhoto.State.FAILED
        else:
            _save_cleaned(row, cleaned)
        upload_name = row.upload.name
        row.upload = ""
        row.save()
    if upload_name:
        row.upload.storage.delete(upload_name)
    return row.state


def delete_photo_files(row):
    for field_file in (row.upload, row.image, row.thumbnail):
        if field_file:
            field_file.delete(save=False)
