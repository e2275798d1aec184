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

from ..models import RAW_UPLOAD_FOLDER, FeedbackPhoto
from ..queue import enqueue_after_commit
from .images import IncomingPhoto, clean_upload
from .pending import PendingPhoto
from .storage import drop_upload, photo_storage

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
    be decoded ends ``failed``; its upload is deleted either way. The row keeps the
    upload's name until the file is gone (``drop_upload``): a worker killed between
    the commit and the deletion leaves a row that says which file to delete, which
    this task run again, or the sweep (``drop_leftover_uploads``), deletes.
    """
    with transaction.atomic():
        row = FeedbackPhoto.objects.select_for_update().filter(pk=photo_id).first()
        if row is None:
            return "skipped"
        if row.state == FeedbackPhoto.State.PROCESSING:
            cleaned = clean_upload(row.upload, f"Photo {photo_id}")
            if cleaned is None:
                row.state = FeedbackPhoto.State.FAILED
                row.save(update_fields=["state"])
            else:
                _save_cleaned(row, cleaned)
        elif not row.upload:
            return "skipped"
    drop_upload(row)
    return row.state


def drop_leftover_uploads(model=FeedbackPhoto, limit=200):
    """Delete the uploads of photos no longer processing (cleaned, failed) that still
    name one: their worker was killed between the commit and the deletion. Returns
    how many were deleted. Taken in random order, so that files the storage keeps
    refusing cannot hold back the rest."""
    rows = list(model.objects.exclude(upload="").exclude(state=model.State.PROCESSING)
                .order_by("?")[:limit])
    deleted = 0
    for row in rows:
        try:
            drop_upload(row)
        except Exception:  # noqa: BLE001 (one stuck file must not keep the rest)
            logger.exception("Could not delete the leftover upload %s.", row.upload.name)
        else:
            deleted += 1
    return deleted


def delete_unnamed_uploads(older_than, limit=500):
    """Delete raw uploads that no photo row names, written before ``older_than``.

    A web process killed (a worker timeout, an out-of-memory kill) after writing a
    resident's upload and before its transaction committed leaves the file, with
    whatever EXIF and GPS it carries, and no row to say so. The raw folders hold only
    the uploads not yet cleaned, so listing them is cheap. Returns how many were
    deleted."""
    deleted, storage = 0, photo_storage()
    for folder, model in ((RAW_UPLOAD_FOLDER, FeedbackPhoto), ("pending", PendingPhoto)):
        try:
            _folders, files = storage.listdir(folder)
        except FileNotFoundError:  # nothing uploaded yet
            continue
        names = [f"{folder}/{name}" for name in files if name.endswith(".upload")][:limit]
        named = set(model.objects.filter(upload__in=names).values_list("upload", flat=True))
        for name in names:
            if name in named:
                continue
            try:
                if storage.get_modified_time(name) >= older_than:
                    continue  # its request may not have committed yet
                storage.delete(name)
            except FileNotFoundError:  # deleted meanwhile (its row's cleaning)
                continue
            deleted += 1
    if deleted:
        logger.warning("Deleted %s raw uploads that no photo named (a web process "
                       "stopped before its commit).", deleted)
    return deleted


def fail_stale_photos(older_than, limit=200):
    """Mark photos still processing since before ``older_than`` failed; delete their uploads.

    Their task was killed (its timeout, or the worker died) or never ran: the upload,
    with whatever EXIF and GPS it carries, must not stay. A photo a worker is cleaning
    right now is locked and left to it (``skip_locked``). Returns how many failed.
    """
    with transaction.atomic():
        rows = list(FeedbackPhoto.objects.select_for_update(skip_locked=True)
                    .filter(state=FeedbackPhoto.State.PROCESSING, created_at__lt=older_than)
                    .order_by("pk")[:limit])
        for row in rows:
            row.state = FeedbackPhoto.State.FAILED
            row.save(update_fields=["state"])
    for row in rows:  # committed failed, each still naming its upload (drop_leftover_uploads)
        try:
            drop_upload(row)
        except Exception:  # noqa: BLE001 (one stuck file must not keep the rest)
            logger.exception("Could not delete the upload %s of a stale photo.", row.upload.name)
    if rows:
        logger.warning("Gave up on %s photos still processing since before %s.",
                       len(rows), older_than)
    return len(rows)


def delete_photo_files(row):
    for field_file in (row.upload, row.image, row.thumbnail):
        if field_file:
            field_file.delete(save=False)
