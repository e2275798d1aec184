"""Photos kept while the resident fixes the form: accepted uploads survive a re-shown form.

When the form comes back with errors, the photos that passed the checks are stored
as :class:`PendingPhoto` rows under a random batch key; the form carries the key
signed in a hidden field (``pending_photos``), shows their thumbnails with a "remove"
box each, and the next valid post attaches them to the case. A task cleans each one
(as ``store.process_photo`` does) so that the raw upload, with its EXIF and GPS, goes
at once; the photo sweep (``tasks.process_pending_photos``) deletes any still raw
after ``PHOTO_PROCESSING_MAX_SECONDS`` and every one after ``FORM_MAX_AGE_SECONDS``.
"""

import logging
import secrets
from datetime import timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..conf import palaute_setting
from ..queue import enqueue_after_commit
from .images import CleanedPhoto, IncomingPhoto, clean_upload
from .storage import drop_upload, photo_storage

logger = logging.getLogger(__name__)

SIGNING_SALT = "palaute_plugin.pending_photos"


class PendingPhoto(models.Model):
    """A checked photo of a form not yet sent (no case yet)."""

    class State(models.TextChoices):
        PROCESSING = "processing", _("processing")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    batch = models.CharField(_("batch"), max_length=32, db_index=True)
    name = models.CharField(_("file name"), max_length=255)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.PROCESSING)
    pixels = models.PositiveBigIntegerField(_("pixels"), default=0)
    upload = models.FileField(_("upload"), storage=photo_storage, upload_to="pending",
                              blank=True)
    image = models.FileField(_("image"), storage=photo_storage, upload_to="pending",
                             blank=True)
    thumbnail = models.FileField(_("thumbnail"), storage=photo_storage, upload_to="pending",
                                 blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("photo of an unsent form")
        verbose_name_plural = _("photos of unsent forms")
        ordering = ["pk"]

    def __str__(self):
        return self.name

    def as_photo(self):
        """What ``store.save_photos`` takes: a cleaned photo, or the upload still raw."""
        if self.state == self.State.READY:
            with self.image.open("rb") as image, self.thumbnail.open("rb") as thumbnail:
                return CleanedPhoto(image=image.read(), thumbnail=thumbnail.read(),
                                    width=self.width, height=self.height)
        upload = self.upload.open("rb")
        return IncomingPhoto(file=ContentFile(upload.read(), name=self.name), name=self.name,
                             pixels=self.pixels)


def sign_batch(batch):
    return signing.dumps(batch, salt=SIGNING_SALT)


def unsign_batch(value):
    """The batch key of a form's hidden field, or ``None`` if forged or too old."""
    try:
        return signing.loads(value or "", salt=SIGNING_SALT,
                             max_age=palaute_setting("FORM_MAX_AGE_SECONDS"))
    except signing.BadSignature:
        return None


def new_batch():
    return secrets.token_hex(16)


def kept_photos(batch):
    """The batch's photos still usable, oldest first."""
    if not batch:
        return []
    return list(PendingPhoto.objects.filter(batch=batch).exclude(
        state=PendingPhoto.State.FAILED).order_by("pk"))


def keep(batch, photos):
    """Store checked uploads (``IncomingPhoto``) under ``batch``; clean each in a task."""
    rows = []
    for photo in photos:
        row = PendingPhoto(batch=batch, name=photo.name[:255], pixels=photo.pixels)
        photo.file.seek(0)
        row.upload.save(f"{secrets.token_hex(16)}.upload", photo.file, save=False)
        row.save()
        rows.append(row)
        enqueue_after_commit("palaute_plugin.tasks.process_pending_photo", row.pk,
                             f"pending-photo-{row.pk}")
    return rows


def process(pending_id):
    """Clean one pending photo: a JPEG without metadata and a thumbnail; the upload goes
    after the commit (``storage.drop_upload``, as for a case's photo)."""
    with transaction.atomic():
        row = PendingPhoto.objects.select_for_update().filter(pk=pending_id).first()
        if row is None or not row.upload:
            return "skipped"
        if row.state == PendingPhoto.State.PROCESSING:
            cleaned = clean_upload(row.upload, f"Pending photo {pending_id}")
            if cleaned is None:
                row.state = PendingPhoto.State.FAILED
            else:
                token = secrets.token_hex(16)
                row.image.save(f"{token}.jpg", ContentFile(cleaned.image), save=False)
                row.thumbnail.save(f"{token}_t.jpg", ContentFile(cleaned.thumbnail), save=False)
                row.width, row.height = cleaned.width, cleaned.height
                row.state = PendingPhoto.State.READY
            row.save()
    drop_upload(row)
    return row.state


def delete(rows):
    """Delete pending photos and their files."""
    for row in rows:
        for field_file in (row.upload, row.image, row.thumbnail):
            if field_file:
                field_file.delete(save=False)
        row.delete()


def delete_expired(now=None):
    """Raw ones past ``PHOTO_PROCESSING_MAX_SECONDS``, failed ones, all past
    ``FORM_MAX_AGE_SECONDS``."""
    now = now or timezone.now()
    raw_before = now - timedelta(seconds=palaute_setting("PHOTO_PROCESSING_MAX_SECONDS"))
    any_before = now - timedelta(seconds=palaute_setting("FORM_MAX_AGE_SECONDS"))
    expired = list(PendingPhoto.objects.filter(
        models.Q(created_at__lt=any_before)
        # (a cleaned one may still name its upload: store.drop_leftover_uploads deletes it)
        | models.Q(created_at__lt=raw_before, state=PendingPhoto.State.PROCESSING)
        | models.Q(state=PendingPhoto.State.FAILED))[:500])
    delete(expired)
    return len(expired)
