"""django-q2 tasks: email delivery, photo cleaning and their periodic sweeps.

Tasks take primary keys, never model instances. A ``Notification`` moves
pending → sending → sent; a failed attempt puts it back to pending with
exponential backoff, and after ``PALAUTE_EMAIL_MAX_ATTEMPTS`` attempts to failed.
"""

import contextlib
import logging
import time
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr

try:
    import resource
except ImportError:  # not on Unix
    resource = None

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection
from django.db.models import F
from django.utils import timezone
from django_q.conf import Conf

from . import mail, queue
from .conf import palaute_setting
from .models import FeedbackPhoto, Notification
from .photos import pending, store

logger = logging.getLogger(__name__)

RETRY_BATCH_SIZE = 200
LEASE_MARGIN_SECONDS = 30


def deliver_notification(notification_id):
    """Send one notification; return "sent", "skipped", "retry" or "failed".

    The conditional UPDATE claims the row, so when two workers get the same
    id (a retry racing the first task, say) only one of them sends.
    """
    if not claim(notification_id):
        return "skipped"
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:  # deleted with its case meanwhile
        return "skipped"
    try:
        build_message(notification).send()
    except Exception as error:
        logger.warning("Sending notification %s failed: %s", notification_id, error)
        return record_failure(notification, f"{type(error).__name__}: {error}"[:2000])
    mark_sent(notification_id)
    return "sent"


#: Pauses between attempts to record a sent email after the database connection was lost.
MARK_SENT_PAUSES = (0.2, 1, 3, 10)


def mark_sent(notification_id):
    """Record that the email left; a lost database connection is retried on a new one.

    The email is already with the SMTP server: if this update failed, the row would
    stay "sending" until its lease ran out and the email would go out again.
    """
    rows = Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING)
    for pause in (*MARK_SENT_PAUSES, None):
        try:
            rows.update(state=Notification.State.SENT, sent_at=timezone.now(), last_error="")
            # Someone else's email (a password reset link, say) is not kept once sent.
            Notification.objects.filter(pk=notification_id, template=mail.EXTERNAL).update(
                body_text="", body_html="")
            return
        except (OperationalError, InterfaceError) as error:
            if pause is None or connection.in_atomic_block:
                raise
            logger.warning("Recording notification %s as sent failed (%s); trying again.",
                           notification_id, error)
            connection.close()
            time.sleep(pause)


def claim(notification_id):
    """Move a due pending row to sending; False if someone else has it or it is not due.

    While sending, ``next_attempt_at`` is the end of the lease: a row still
    sending after it belonged to a worker that died (see ``release_stale``).
    """
    now = timezone.now()
    lease = timedelta(seconds=sending_lease_seconds())
    claimed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING, next_attempt_at__lte=now
    ).update(
        state=Notification.State.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + lease
    )
    return claimed == 1


def sending_lease_seconds():
    """How long a row being sent is left to its worker before it counts as interrupted.

    django-q2 kills a task at its timeout, so no send outlives it: a lease a little
    longer keeps delivery exactly-once while an interrupted email is retried within
    minutes, not a quarter of an hour.
    """
    configured = palaute_setting("EMAIL_SENDING_LEASE_SECONDS")
    if configured:
        return configured
    return (Conf.TIMEOUT or 15 * 60) + LEASE_MARGIN_SECONDS


def record_failure(notification, error):
    """Back to pending with backoff, or failed after the last attempt."""
    now = timezone.now()
    rows = Notification.objects.filter(pk=notification.pk, state=Notification.State.SENDING)
    if notification.attempts >= palaute_setting("EMAIL_MAX_ATTEMPTS"):
        rows.update(state=Notification.State.FAILED, last_error=error, next_attempt_at=now)
        logger.error("Gave up on notification %s after %s attempts.",
                     notification.pk, notification.attempts)
        return "failed"
    rows.update(
        state=Notification.State.PENDING,
        last_error=error,
        next_attempt_at=now + retry_delay(notification.attempts),
    )
    return "retry"


def retry_delay(attempts):
    """Exponential backoff: base, 2 × base, 4 × base, … after 1, 2, 3, … attempts."""
    return timedelta(seconds=palaute_setting("EMAIL_RETRY_BASE_SECONDS") * 2 ** (attempts - 1))


def sender(language):
    """``DEFAULT_FROM_EMAIL`` with the name ``PALAUTE_FROM_NAMES`` gives ``language``: a
    Swedish email came from "Tornion kaupunki"."""
    name = (palaute_setting("FROM_NAMES") or {}).get(language)
    if not name:
        return settings.DEFAULT_FROM_EMAIL
    # Not encoded here (Django encodes the header); quoted where the name needs it.
    return str(Address(display_name=name, addr_spec=parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def build_message(notification):
    """The email of a notification row, with headers that stay the same on every attempt."""
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=notification.sender or sender(notification.language),
        to=[notification.recipient],
        connection=mail.delivery_connection(),
        headers={
            # The same on every attempt, so a rare second copy can be recognised.
            "Message-ID": message_id(notification),
            "X-Palaute-Notification": str(notification.pk),
            "Auto-Submitted": "auto-generated",
        },
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    return message


def message_id(notification):
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    created = int(notification.created_at.timestamp())
    return f"<palaute-notification-{notification.pk}.{created}@{domain}>"


def retry_pending_notifications():
    """The periodic sweep: release stale rows, then send what is due; return how many sent.

    It sends inline rather than enqueuing, so it also rescues rows whose task
    never reached the broker, and it stops well before django-q's task timeout.
    """
    release_stale()
    deadline = time.monotonic() + (Conf.TIMEOUT or 60) / 2
    due = Notification.objects.filter(
        state=Notification.State.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:RETRY_BATCH_SIZE]
    sent = 0
    for notification_id in list(due):
        if time.monotonic() > deadline:
            break
        sent += deliver_notification(notification_id) == "sent"
    return sent


def release_stale():
    """Put rows whose sender died mid-send back to pending (or failed at the maximum).

    This is the one at-least-once edge: if the worker died after the SMTP
    server accepted the message but before the row was marked sent, the
    resident gets a second copy (with the same Message-ID). Losing the email
    would be worse.
    """
    now = timezone.now()
    stale = Notification.objects.filter(state=Notification.State.SENDING, next_attempt_at__lte=now)
    error = "Delivery was interrupted (the worker stopped while sending)."
    failed = stale.filter(attempts__gte=palaute_setting("EMAIL_MAX_ATTEMPTS")).update(
        state=Notification.State.FAILED, last_error=error
    )
    released = stale.update(state=Notification.State.PENDING, last_error=error)
    if failed or released:
        logger.warning("Released %s stale notifications; %s failed.", released, failed)
    return released


def process_photo(photo_id):
    """Clean one received photo (see ``photos.store.process_photo``).

    Within ``PALAUTE_PHOTO_WORKER_MEMORY_MB`` of memory more than the worker already
    uses: a photo needing more fails (``MemoryError`` is caught like any damaged
    file) instead of pushing the worker's machine into swap or the OOM killer.
    """
    with memory_bound(palaute_setting("PHOTO_WORKER_MEMORY_MB")):
        return store.process_photo(photo_id)


@contextlib.contextmanager
def memory_bound(megabytes):
    """Limit how much more memory this process may take while the block runs.

    Sets the soft ``RLIMIT_DATA`` (heap and private mappings, which is where Pillow's
    image buffers live) to what the process has now plus ``megabytes``, and puts
    the earlier limit back afterwards. Does nothing where there is no such limit
    (not Linux) or when ``megabytes`` is None.
    """
    data_kb = _status_kb("VmData")
    if megabytes is None or resource is None or data_kb is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    bound = data_kb * 1024 + megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        bound = min(bound, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (bound, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def _status_kb(field):
    """A ``kB`` figure of ``/proc/self/status`` (Linux), or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def process_pending_photo(pending_id):
    """Clean one photo of a form shown again with errors (``photos.pending.process``)."""
    return pending.process(pending_id)


PHOTO_REQUEUE_AFTER = timedelta(minutes=2)
PHOTO_REQUEUE_BATCH_SIZE = 50
#: A raw upload no row names is deleted when older than this: a request that wrote it is
#: long over (its worker's timeout), committed or not.
UNNAMED_UPLOADS_AFTER = timedelta(hours=1)


def process_pending_photos():
    """Sweep: never cleans a photo itself, so it cannot be killed by a costly one.

    A photo processing for longer than ``PALAUTE_PHOTO_PROCESSING_MAX_SECONDS`` is
    marked failed and its upload deleted (its task was killed or kept failing); one
    waiting over two minutes (its task never reached the broker) is queued again.
    Photos of forms never sent go too (``photos.pending.delete_expired``).
    A second task for the same photo does nothing (``store.process_photo``).
    Uploads a killed worker left on cleaned or failed photos are deleted, and raw
    uploads no row names (a web process killed before its commit).
    Returns ``{"failed": n, "queued": m, "leftover": k}``.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=palaute_setting("PHOTO_PROCESSING_MAX_SECONDS"))
    failed = store.fail_stale_photos(stale_before)
    waiting = list(FeedbackPhoto.objects.filter(
        state=FeedbackPhoto.State.PROCESSING, created_at__lt=now - PHOTO_REQUEUE_AFTER,
    ).order_by("pk").values_list("pk", flat=True)[:PHOTO_REQUEUE_BATCH_SIZE])
    with queue.atomic():
        for photo_id in waiting:
            queue.enqueue_after_commit("palaute_plugin.tasks.process_photo", photo_id,
                                       f"photo-{photo_id}")
    # Uploads a killed worker left behind after committing the photo's cleaning.
    leftover = store.drop_leftover_uploads() + store.drop_leftover_uploads(pending.PendingPhoto)
    if leftover:
        logger.warning("Deleted %s raw uploads left by a worker that stopped.", leftover)
    # Uploads a killed web process wrote and never committed (none younger than an hour).
    leftover += store.delete_unnamed_uploads(now - UNNAMED_UPLOADS_AFTER)
    expired = pending.delete_expired(now)  # photos of forms never sent
    if expired:
        logger.info("Deleted %s photos of unsent forms.", expired)
    return {"failed": failed, "queued": len(waiting), "leftover": leftover}


def refresh_statistics():
    """Fold changed cases and finished days into the statistics' daily aggregate, then
    bring each staff scope's default report and the reports asked for lately up to date
    (``figures.warm_default_reports``, ``figures.warm_reports``); returns how many days
    were rebuilt."""
    from .stats import aggregates, figures

    rebuilt = aggregates.refresh()
    figures.warm_default_reports()
    figures.warm_reports()
    return rebuilt


#: The periodic schedules this app needs: func -> (name, minutes). Created after
#: ``migrate`` (see ``apps.py``) if missing; an existing one keeps the timing it has.
SCHEDULES = {
    "palaute_plugin.tasks.retry_pending_notifications": ("palaute: retry email notifications", 1),
    "palaute_plugin.tasks.process_pending_photos": ("palaute: process waiting photos", 5),
    "palaute_plugin.tasks.refresh_statistics": ("palaute: refresh statistics", 15),
    "palaute_plugin.insights.tasks.run_clock": ("palaute: response clock reminders", 60),
    "palaute_plugin.insights.tasks.apply_retention": ("palaute: retention", 60),
}


def ensure_schedules(using="default", apps=None, **kwargs):
    """Create the missing django-q2 schedules of ``SCHEDULES`` (a ``post_migrate`` receiver).

    ``apps`` is the migrated state ``post_migrate`` passes: before django_q's own tables
    exist (``migrate palaute_plugin`` alone) there is nothing to do yet.
    """
    from django.apps import apps as installed_apps

    try:
        schedules = (apps or installed_apps).get_model("django_q", "Schedule").objects.using(using)
    except LookupError:
        return
    existing = set(schedules.filter(func__in=SCHEDULES)
                   .values_list("func", flat=True))
    for func, (name, minutes) in SCHEDULES.items():
        if func not in existing:
            schedules.create(
                func=func, name=name, schedule_type="I", minutes=minutes,  # Schedule.MINUTES
                repeats=-1)

