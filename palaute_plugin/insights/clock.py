"""The response clock's emails: reminders, escalation and the handlers' daily digest.

``run_clock`` is the django-q2 schedule (``tasks.SCHEDULES``, hourly). Each step is
recorded in the transaction that writes its emails (``ClockStep`` per case, step and
due time; ``DigestSent`` per user and day, both unique), so a second or concurrent
run sends nothing twice. Emails go through the notifications outbox, each in the
recipient's Wagtail admin language.

- A **reminder** goes to the assignee ``PALAUTE_REMINDER_WORKING_DAYS`` working days
  before the due time.
- An **escalation** goes to the category's responsible person and its supervisor's
  address once the case is overdue (``FeedbackQuerySet.overdue_q``).
- The **digest** tells each handler, once a day after ``PALAUTE_DIGEST_HOUR``, how
  many cases are new, due soon and overdue in their categories, with links.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from .. import notifications, queue
from ..conf import palaute_setting
from ..models import Feedback, FeedbackCategory, FeedbackQuerySet
from ..permissions import feedback_for_user
from ..workdays import add_working_days, end_of_day, local_date
from .models import ClockStep, DigestSent

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
DIGEST_LIST_LENGTH = 10


def run_clock(now=None):
    """The schedule: reminders, escalations and (after the digest hour) digests."""
    now = now or timezone.now()
    result = {"reminders": send_reminders(now), "escalations": send_escalations(now)}
    if timezone.localtime(now).hour >= palaute_setting("DIGEST_HOUR"):
        result["digests"] = send_digests(now)
    return result


def unanswered_open_q():
    return Q(status__in=Feedback.OPEN_STATUSES, first_response_at__isnull=True)


def without_step(cases, step):
    """Cases with no ``step`` recorded for their current due time."""
    sent = ClockStep.objects.filter(feedback=OuterRef("pk"), step=step,
                                    due_at=OuterRef("due_at"))
    return cases.filter(~Exists(sent))


def reminder_cutoff(now):
    """Cases due by the end of the working day ``PALAUTE_REMINDER_WORKING_DAYS`` working
    days from today are reminded of today."""
    return end_of_day(add_working_days(local_date(now), palaute_setting("REMINDER_WORKING_DAYS")))


def cases_to_remind(now):
    if not palaute_setting("REMINDER_WORKING_DAYS"):
        return Feedback.objects.none()
    cases = Feedback.objects.filter(unanswered_open_q(), assignee__isnull=False,
                                    due_at__gte=now, due_at__lte=reminder_cutoff(now))
    return without_step(cases, ClockStep.Step.REMINDER)


def cases_to_escalate(now):
    return without_step(Feedback.objects.filter(FeedbackQuerySet.overdue_q(now)),
                        ClockStep.Step.ESCALATION)


def send_reminders(now=None):
    """Remind assignees of cases soon due; return how many cases were reminded of."""
    now = now or timezone.now()
    cases = (cases_to_remind(now).select_related("category", "assignee__wagtail_userprofile")
             .order_by("due_at", "pk")[:BATCH_SIZE])
    return sum(record_step(case, ClockStep.Step.REMINDER, reminder_emails) for case in cases)


def send_escalations(now=None):
    """Tell the responsible person and the supervisor of overdue cases; return how many."""
    now = now or timezone.now()
    cases = (cases_to_escalate(now)
             .select_related("category__responsible_person__wagtail_userprofile", "assignee")
             .order_by("due_at", "pk")[:BATCH_SIZE])
    return sum(record_step(case, ClockStep.Step.ESCALATION, escalation_emails)
               for case in cases)


def record_step(case, step, build_emails):
    """Record ``step`` for the case's due time and queue its emails, together; False if
    another run recorded it first."""
    try:
        with queue.atomic():
            ClockStep.objects.create(feedback=case, step=step, due_at=case.due_at)
            emails = build_emails(case)
            if emails:
                notifications.queue_emails(emails)
    except IntegrityError:
        return False
    logger.info("Response clock: %s for %s (%s emails)", step, case.reference, len(emails))
    return True


def reminder_emails(case):
    assignee = case.assignee
    if not (assignee.is_active and assignee.email):
        return []
    context = notifications.feedback_context(
        case, admin_url=notifications.admin_feedback_url(case), recipient=assignee)
    return [notifications.build_email("clock_reminder", assignee.email, feedback=case,
                                      language=notifications.staff_language(assignee),
                                      context=context)]


def escalation_emails(case):
    context = notifications.feedback_context(
        case, admin_url=notifications.admin_feedback_url(case),
        assignee_name=case.assignee.get_full_name() or case.assignee.get_username()
        if case.assignee_id else "")
    return [notifications.build_email("clock_escalation", address, language=language,
                                      context=context, feedback=case)
            for address, language in escalation_recipients(case.category)]


def escalation_recipients(category):
    """The responsible person (in their admin language) and the supervisor's address."""
    recipients = []
    person = category.responsible_person
    if person is not None and person.is_active and person.email:
        recipients.append((person.email, notifications.staff_language(person)))
    supervisor = category.supervisor_email.strip()
    if supervisor and supervisor.lower() not in {a.lower() for a, _ in recipients}:
        recipients.append((supervisor, settings.LANGUAGE_CODE[:2]))
    return recipients


# --- the daily digest ---------------------------------------------------------------


def digest_users():
    """Active handlers with an address: members of handler groups, responsible persons
    and assignees of open cases."""
    categories = FeedbackCategory.objects.all()
    return (get_user_model().objects.filter(
        Q(groups__in=categories.values("handler_group"))
        | Q(pk__in=categories.values("responsible_person"))
        | Q(pk__in=Feedback.objects.filter(FeedbackQuerySet.open_q())
            .values("assignee")),
        is_active=True).exclude(email="").distinct()
        .select_related("wagtail_userprofile").order_by("pk"))


def send_digests(now=None):
    """Each handler's digest of the day (once); return how many emails were queued."""
    now = now or timezone.now()
    day = local_date(now)
    done = DigestSent.objects.filter(day=day).values("user")
    sent = 0
    for user in digest_users().exclude(pk__in=done):
        sent += send_digest(user, day, now)
    return sent


def digest_sections(user, now):
    """``{"new": (count, cases), "due_soon": ..., "overdue": ...}`` for the user."""
    cases = feedback_for_user(user)
    conditions = {
        "new": Q(status=Feedback.Status.NEW),
        "due_soon": FeedbackQuerySet.due_soon_q(now),
        "overdue": FeedbackQuerySet.overdue_q(now),
    }
    counts = cases.aggregate(**{key: Count("pk", filter=q) for key, q in conditions.items()})
    sections = {}
    for key, condition in conditions.items():
        listed = []
        if counts[key]:
            listed = list(cases.filter(condition).select_related("category__parent")
                          .order_by("due_at", "pk")[:DIGEST_LIST_LENGTH])
            for case in listed:
                case.admin_url = notifications.admin_feedback_url(case)
        sections[key] = (counts[key], listed)
    return sections


def send_digest(user, day, now):
    """Record the user's digest of ``day`` and queue it (nothing to tell: recorded, not
    sent); 1 if an email was queued."""
    sections = digest_sections(user, now)
    try:
        with queue.atomic():
            DigestSent.objects.create(user=user, day=day)
            if not any(count for count, _cases in sections.values()):
                return 0
            context = {"recipient": user, "day": day, "sections": sections,
                       "inbox_url": inbox_url(), **{key: value for key, value in
                                                    sections.items()}}
            notifications.queue_email("daily_digest", user.email,
                                      language=notifications.staff_language(user),
                                      context=context)
    except IntegrityError:
        return 0
    return 1


def inbox_url():
    from ..staff.viewsets import feedback_viewset

    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        feedback_viewset.get_url_name("index"))

