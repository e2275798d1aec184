"""Public copies of the photos a moderator chose for a publication.

The private photo is never served publicly or changed: when a publication is
published, each chosen (already cleaned, metadata-free) photo is copied under a
new random name, and the public view serves only these copies. Copies of photos
no longer chosen are deleted.
"""

import base64
import secrets

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from ..models import FeedbackPhoto
from ..photos.storage import photo_storage
from .blur import blurred_copy


def public_upload_to(instance, filename):
    return f"public/{filename[:2]}/{filename}"


def new_public_token():
    return secrets.token_urlsafe(24)


class PublicPhoto(models.Model):
    """A public copy of one photo of a published case, under an unguessable name."""

    publication = models.ForeignKey(
        "palaute_plugin.FeedbackPublication", verbose_name=_("publication"),
        on_delete=models.CASCADE, related_name="public_photos",
    )
    source = models.ForeignKey(
        FeedbackPhoto, verbose_name=_("original photo"), on_delete=models.CASCADE,
        related_name="+",
    )
    token = models.CharField(_("public name"), max_length=40, unique=True,
                             default=new_public_token, editable=False)
    image = models.FileField(_("image"), upload_to=public_upload_to, storage=photo_storage)
    thumbnail = models.FileField(_("thumbnail"), upload_to=public_upload_to,
                                 storage=photo_storage)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    blur_areas = models.JSONField(_("blurred areas"), default=list, blank=True)

    class Meta:
        verbose_name = _("public photo")
        verbose_name_plural = _("public photos")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.token


def chosen_photos(publication):
    """The case's ready photos that the publication's ``photo_ids`` name, in order."""
    return FeedbackPhoto.objects.filter(
        feedback=publication.feedback_id, pk__in=publication.photo_ids or [],
        state=FeedbackPhoto.State.READY).order_by("sort_order", "pk")


def sync_public_photos(publication):
    """Make the public copies match the chosen photos and their blurred areas (on publish).

    A copy whose areas changed is made anew, under a new name.
    """
    wanted = {photo.pk: photo for photo in chosen_photos(publication)}
    areas = {pk: (publication.blur_areas or {}).get(str(pk), []) for pk in wanted}
    for copy in publication.public_photos.all():
        if copy.source_id not in wanted or copy.blur_areas != areas[copy.source_id]:
            delete_copy(copy)
    existing = set(publication.public_photos.values_list("source_id", flat=True))
    for order, photo in enumerate(wanted.values()):
        if photo.pk in existing:
            publication.public_photos.filter(source=photo).update(sort_order=order)
            continue
        copy = PublicPhoto(publication=publication, source=photo, sort_order=order,
                           blur_areas=areas[photo.pk])
        name = secrets.token_hex(16)
        with photo.image.open("rb") as handle:
            image = handle.read()
        if copy.blur_areas:
            image, thumbnail = blurred_copy(image, copy.blur_areas)
        else:
            with photo.thumbnail.open("rb") as handle:
                thumbnail = handle.read()
        copy.image.save(f"{name}.jpg", ContentFile(image), save=False)
        copy.thumbnail.save(f"{name}_t.jpg", ContentFile(thumbnail), save=False)
        copy.save()


def blurred_data_url(photo, areas):
    """The moderator's preview of a blurred copy, as a ``data:`` URL (admin only)."""
    with photo.image.open("rb") as handle:
        image, _thumbnail = blurred_copy(handle.read(), areas)
    return "data:image/jpeg;base64," + base64.b64encode(image).decode("ascii")


def delete_copy(copy):
    """Delete a public copy; its files go with the row (see ``delete_copy_files``)."""
    copy.delete()


def delete_all_copies(publication):
    """No public copy outlives its publication being public (on unpublish)."""
    for copy in publication.public_photos.all():
        delete_copy(copy)


def delete_copy_files(sender, instance, **kwargs):
    """``post_delete`` of a ``PublicPhoto``, also when a publication, case or photo is deleted:
    the files are removed once the deletion has committed."""
    names = [field.name for field in (instance.image, instance.thumbnail) if field]
    storage = instance.image.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
