"""State transitions of a case. The public form, the admin, the API and tasks call these.

Each action changes the case, logs it in Wagtail's history and writes the
notifications it causes, all in one transaction.
"""

import logging

from django.db import IntegrityError, transaction
from wagtail.log_actions import log

from . import notifications, photos
from .models import Feedback

logger = logging.getLogger(__name__)


def submit_feedback(*, category, message, kind=Feedback.Kind.FEEDBACK, location=None,
                    address="", contact_name="", contact_email="", contact_phone="",
                    language="fi", channel=Feedback.Channel.WEB, cleaned_photos=(),
                    page=None, submission_key=None, user=None):
    """Create a case, route it to the category's responsible person and notify.

    ``location`` is ``(lat, lon)`` or ``None``; ``cleaned_photos`` come from
    ``photos.clean_photo``. A repeated ``submission_key`` (double click,
    replayed post) returns the case it already created instead of a new one.
    """
    if submission_key:
        existing = Feedback.objects.filter(submission_key=submission_key).first()
        if existing:
            return existing
    latitude, longitude = location if location else (None, None)
    feedback = Feedback(
        kind=kind, category=category, message=message, latitude=latitude,
        longitude=longitude, address=address, contact_name=contact_name,
        contact_email=contact_email, contact_phone=contact_phone, language=language,
        channel=channel, page=page, submission_key=submission_key,
        assignee=category.responsible_person,
    )
    saved_photos = []
    try:
        with transaction.atomic():
            feedback.save()
            saved_photos = photos.save_photos(feedback, cleaned_photos)
            log(instance=feedback, action="palaute_plugin.received", user=user,
                data={"channel": channel, "kind": kind})
            notifications.notify_feedback_received(feedback)
    except IntegrityError:
        _delete_files(saved_photos)
        if submission_key:
            existing = Feedback.objects.filter(submission_key=submission_key).first()
            if existing:  # the same post won a race with itself
                return existing
        raise
    except Exception:
        _delete_files(saved_photos)
        raise
    logger.info("Feedback %s received (%s, %s)", feedback.reference, category.service_code,
                channel)
    return feedback


def _delete_files(saved_photos):
    """Nothing half-saved: files of a rolled-back case are removed."""
    for photo in saved_photos:
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
