"""An ``EMAIL_BACKEND`` that puts every email through this app's outbox.

The app's own emails are ``Notification`` rows written with the change that caused them
(``notifications.py``). Others are sent by code we do not own, synchronously, and are lost
when the mail server is down: Wagtail's workflow notifications ("… is awaiting your review",
"changes requested"), password resets. With

    EMAIL_BACKEND = "palaute_plugin.mail.QueuedEmailBackend"
    PALAUTE_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

each recipient's copy of such an email becomes a ``Notification`` (template ``EXTERNAL``),
delivered and retried by the same tasks through ``PALAUTE_EMAIL_DELIVERY_BACKEND``. Once
sent, its text is emptied: a password reset link is not kept in the database.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from .conf import palaute_setting

#: ``Notification.template`` of an email this backend took from someone else's code.
EXTERNAL = "external"
BACKEND = "palaute_plugin.mail.QueuedEmailBackend"


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .models import Notification
        from .notifications import queue_emails

        rows, direct = [], []
        for message in email_messages:
            if message.attachments:
                # A row holds no files; the few emails with attachments go out at once.
                direct.append(message)
                continue
            rows.extend(notification_rows(message, Notification))
        if rows:
            queue_emails(rows)
        if direct:
            delivery_connection(fail_silently=self.fail_silently).send_messages(direct)
        return len(email_messages)


def notification_rows(message, Notification):
    """One unsaved row per recipient (to, cc and bcc each get their own copy)."""
    max_subject = Notification._meta.get_field("subject").max_length
    html = next((content for content, mimetype in getattr(message, "alternatives", ())
                 if mimetype == "text/html"), "")
    subject = " ".join(str(message.subject).split())[:max_subject]
    return [
        Notification(template=EXTERNAL, recipient=recipient, language="", sender=message.from_email,
                     subject=subject, body_text=message.body, body_html=html)
        for recipient in dict.fromkeys(message.recipients())
    ]


def delivery_backend():
    """The dotted path the outbox's emails leave through."""
    from django.conf import settings

    backend = palaute_setting("EMAIL_DELIVERY_BACKEND") or settings.EMAIL_BACKEND
    if backend == BACKEND:
        raise ImproperlyConfigured(
            "EMAIL_BACKEND is palaute_plugin.mail.QueuedEmailBackend: set "
            "PALAUTE_EMAIL_DELIVERY_BACKEND to the backend that sends (SMTP, say).")
    return backend


def delivery_connection(**kwargs):
    return get_connection(delivery_backend(), **kwargs)
