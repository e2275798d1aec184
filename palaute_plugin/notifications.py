"""Emails: written as ``Notification`` rows with the change, delivered by a task.

Call ``queue_email`` (or a ``notify_*`` helper) inside the transaction that makes
the change. The row is rendered at once in the recipient's language and commits
or rolls back with the change; delivery is enqueued only after commit, and the
retry schedule (see ``tasks.py``) picks up anything that failed or was never
enqueued.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from wagtail.admin.admin_url_finder import AdminURLFinder

from .models import Notification
from .queue import enqueue_after_commit

logger = logging.getLogger(__name__)

DELIVERY_TASK = "palaute_plugin.tasks.deliver_notification"
TEMPLATE_DIR = "palaute_plugin/emails"


def queue_email(template, recipient, *, language, context, feedback=None, to_resident=False):
    """Write a ``Notification`` for ``recipient`` and deliver it after commit.

    ``template`` names three templates under ``palaute_plugin/emails/``:
    ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html``.
    """
    return queue_emails([
        build_email(template, recipient, language=language, context=context,
                    feedback=feedback, to_resident=to_resident)
    ])[0]


def build_email(template, recipient, *, language, context, feedback=None, to_resident=False):
    """An unsaved ``Notification``, rendered in ``language``; ``queue_emails`` writes it."""
    subject, body_text, body_html = render_email(template, language, context)
    return Notification(
        feedback=feedback,
        template=template,
        to_resident=to_resident,
        recipient=recipient,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )


def queue_emails(notifications):
    """Write the emails one change causes in one INSERT; deliver each after commit."""
    saved = Notification.objects.bulk_create(notifications)
    for notification in saved:
        enqueue_after_commit(DELIVERY_TASK, notification.pk, f"notification-{notification.pk}")
    return saved


def render_email(template, language, context):
    """Return ``(subject, text, html)`` rendered in ``language``."""
    max_length = Notification._meta.get_field("subject").max_length
    with translation.override(language):
        subject = render_to_string(f"{TEMPLATE_DIR}/{template}_subject.txt", context)
        # One line only: a newline in a subject would be a header injection.
        subject = " ".join(subject.split())[:max_length]
        context = {**context, "subject": subject}
        body_text = render_to_string(f"{TEMPLATE_DIR}/{template}.txt", context)
        body_html = render_to_string(f"{TEMPLATE_DIR}/{template}.html", context)
    return subject, body_text.strip() + "\n", body_html.strip() + "\n"


def notify_feedback_received(feedback):
    """Queue the resident's receipt and the staff's "new feedback" emails."""
    emails = []
    if feedback.contact_email:
        emails.append(
            build_email(
                "receipt", feedback.contact_email, language=feedback.language,
                context=feedback_context(feedback), feedback=feedback, to_resident=True,
            )
        )
    context = feedback_context(feedback, admin_url=admin_feedback_url(feedback))
    recipients = staff_recipients(feedback)
    if not recipients:
        # The category form refuses such a topic; one set up before, or whose people
        # left, still takes feedback: told in the log, where the operator looks.
        logger.error("Feedback %s: nobody in category %s is told of it (no responsible "
                     "person, handler with an address or notification address).",
                     feedback.reference, feedback.category.service_code)
    for address, language in recipients:
        emails.append(
            build_email("new_feedback", address, language=language, context=context,
                        feedback=feedback)
        )
    return queue_emails(emails) if emails else []


def feedback_context(feedback, **extra):
    """The context every feedback email gets; templates translate what they show."""
    return {
        "feedback": feedback,
        "category": feedback.category,
        "status_url": resident_status_url(feedback),
        "photo_count": photo_count(feedback),
        **extra,
    }


def staff_recipients(feedback):
    """``(address, language)`` pairs told of new feedback, deduplicated by address.

    The assignee, the handler group's active members and the category's extra
    addresses. A user's language is their Wagtail admin preference.
    """
    users = staff_users(feedback.assignee_id, feedback.category.handler_group_id)
    candidates = [(user.email, staff_language(user)) for user in users if user.email]
    candidates += [
        (address, settings.LANGUAGE_CODE)
        for address in feedback.category.notification_address_list()
    ]
    seen = set()
    recipients = []
    for address, language in candidates:
        if address.lower() not in seen:
            seen.add(address.lower())
            recipients.append((address, language))
    return recipients


def anyone_told(responsible_person, handler_group, notification_emails):
    """Whether new feedback of a category so set reaches anyone (``staff_recipients``):
    an active responsible person, an active group member with an address, or an address."""
    if any(line.strip() for line in (notification_emails or "").splitlines()):
        return True
    if responsible_person is not None and responsible_person.is_active and \
            responsible_person.email:
        return True
    return handler_group is not None and get_user_model().objects.filter(
        groups=handler_group, is_active=True).exclude(email="").exists()


def staff_users(assignee_id, group_id):
    """The active assignee first, then the group's active members with an address,
    with their Wagtail profiles, in one query."""
    condition = Q()
    if assignee_id:
        condition |= Q(pk=assignee_id)
    if group_id:
        condition |= Q(groups=group_id) & ~Q(email="")
    if not condition:
        return []
    users = list(get_user_model().objects.filter(condition, is_active=True)
                 .select_related("wagtail_userprofile").distinct().order_by("pk"))
    return sorted(users, key=lambda user: user.pk != assignee_id)  # stable: keeps pk order


def remember_photo_count(feedback, count):
    """Tell ``photo_count`` a count the caller already knows, sparing a query."""
    feedback._palaute_photo_count = count


def staff_language(user):
    """The user's Wagtail admin language, or the site's default language."""
    try:
        preferred = user.wagtail_userprofile.preferred_language
    except ObjectDoesNotExist:
        preferred = ""
    if preferred in dict(settings.LANGUAGES):
        return preferred
    return settings.LANGUAGE_CODE


def resident_status_url(feedback):
    """The resident's private status page, or "" when the case has no page."""
    page = feedback.page
    if page is None:
        return ""
    if not page.get_full_url():
        # Not under any site: an email without the link beats losing the case.
        logger.warning("Feedback page %s is not routable; no status link sent.", page.pk)
        return ""
    return page.status_url(feedback)


def admin_feedback_url(feedback):
    """The case in the Wagtail admin (its viewset's admin URL finder), as an absolute URL."""
    path = AdminURLFinder().get_edit_url(feedback)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def notify_flood(recipients, *, count, limit):
    """Tell the feedback administrators that the site receives an unusual flood."""
    admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_home")
    context = {"count": count, "limit": limit, "admin_url": admin_url}
    return [queue_email("flood_alert", address, language=settings.LANGUAGE_CODE[:2],
                        context=context) for address in recipients]


def notify_resident(feedback, template, **extra):
    """A decision or reply to the resident, in their language (if they left an email)."""
    if not feedback.contact_email:
        return None
    return queue_email(template, feedback.contact_email, language=feedback.language,
                       context=feedback_context(feedback, **extra), feedback=feedback,
                       to_resident=True)


def notify_assignee(feedback, assignee):
    """Tell a handler a case was assigned to them."""
    if not assignee.email or not assignee.is_active:
        return None
    return queue_email("assigned", assignee.email, language=staff_language(assignee),
                       context=feedback_context(feedback, admin_url=admin_feedback_url(feedback),
                                                assignee=assignee),
                       feedback=feedback)


def notify_rerouted(feedback):
    """A case moved to another category: its handlers hear of it as new feedback."""
    context = feedback_context(feedback, admin_url=admin_feedback_url(feedback), rerouted=True)
    return [queue_email("new_feedback", address, language=language, context=context,
                        feedback=feedback)
            for address, language in staff_recipients(feedback)]


def notify_follow_up(feedback, message, photos=0):
    """The resident added information (a message, photos or both): the assignee (or the
    handlers) hear of it."""
    context = feedback_context(feedback, admin_url=admin_feedback_url(feedback),
                               message=message, added_photos=photos)
    if feedback.assignee_id and feedback.assignee.is_active and feedback.assignee.email:
        recipients = [(feedback.assignee.email, staff_language(feedback.assignee))]
    else:
        recipients = staff_recipients(feedback)
    return [queue_email("follow_up", address, language=language, context=context,
                        feedback=feedback)
            for address, language in recipients]


def photo_count(feedback):
    """The case's photo count, counted once per change however many emails it causes."""
    if not feedback.pk:
        return 0
    cached = getattr(feedback, "_palaute_photo_count", None)
    if cached is None:
        cached = feedback._palaute_photo_count = feedback.photos.count()
    return cached
