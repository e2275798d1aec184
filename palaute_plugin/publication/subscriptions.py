""""Me too": residents who confirmed that a published case concerns them as well.

Double opt-in: ``request_confirmation`` emails a signed link and stores nothing
else; ``confirm`` (the link, posted) creates the subscription and raises the
publication's ``affected_count``; ``unsubscribe`` (a signed link in every email)
ends it and lowers the count again, never below the resident who reported the
case. When the case is closed, ``notify_subscribers`` (a ``status_changed``
receiver) emails every active subscriber in their language.
"""

import base64
import binascii
import secrets

from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import queue
from ..conf import palaute_setting
from ..models import LANGUAGE_CHOICES, Feedback
from .log_entries import PublicationLogEntry  # noqa: F401 (a model: registered through here)
from .models import FeedbackPublication

CONFIRM_SALT = "palaute_plugin.metoo.confirm"
UNSUBSCRIBE_SALT = "palaute_plugin.metoo.unsubscribe"
#: Closed statuses that tell subscribers the matter was dealt with (not "rejected":
#: a rejected case is never public).
TOLD_STATUSES = {Feedback.Status.RESOLVED, Feedback.Status.CLOSED,
                 Feedback.Status.ALREADY_KNOWN, Feedback.Status.REDIRECTED}


class LinkError(Exception):
    """A "me too" link that is forged, expired or used already (see ``reason``)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "used"


class MeTooSubscription(models.Model):
    """One resident following one published case ("me too"), confirmed by email."""

    publication = models.ForeignKey(
        FeedbackPublication, verbose_name=_("publication"), on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES,
                                default="fi")
    confirm_nonce = models.CharField(
        _("confirmation"), max_length=40, unique=True,
        help_text=_("The last confirmation link used, so that it works only once."))
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("“me too” subscription")
        verbose_name_plural = _("“me too” subscriptions")
        constraints = [models.UniqueConstraint(fields=["publication", "email"],
                                               name="palaute_metoo_once_per_email")]

    def __str__(self):
        return f"{self.email} → {self.publication_id}"

    @property
    def is_active(self):
        return self.unsubscribed_at is None


def normalise_email(email):
    return email.strip().lower()


def _for_url(signed):
    """Wagtail serves page paths of letters, digits, ``_`` and ``-`` only (no ``:``)."""
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def _from_url(token):
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, ValueError) as error:
        raise signing.BadSignature("not a token") from error


def confirmation_token(publication, email, language):
    return _for_url(signing.dumps({"p": publication.pk, "e": normalise_email(email),
                                   "l": language, "n": secrets.token_hex(16)},
                                  salt=CONFIRM_SALT))


def unsubscribe_token(subscription):
    return _for_url(signing.dumps({"s": subscription.pk}, salt=UNSUBSCRIBE_SALT))


def read_confirmation(token):
    """``(publication, email, language, nonce)`` of a valid link, or ``LinkError``."""
    try:
        payload = signing.loads(_from_url(token), salt=CONFIRM_SALT,
                                max_age=palaute_setting("METOO_CONFIRM_MAX_AGE_SECONDS"))
        publication_id, email = int(payload["p"]), str(payload["e"])
        language, nonce = str(payload["l"]), str(payload["n"])
    except signing.SignatureExpired as error:
        raise LinkError("expired") from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise LinkError("invalid") from error
    publication = FeedbackPublication.objects.public().filter(pk=publication_id).first()
    if publication is None:
        raise LinkError("invalid")
    if MeTooSubscription.objects.filter(confirm_nonce=nonce).exists():
        raise LinkError("used")
    return publication, email, language, nonce


def followed_by_link(token):
    """The subscription a used confirmation link started, while it lasts (its address
    follows the case still); otherwise None. Opening the link again then says so, with
    the unsubscribe link, rather than "the link was used already"."""
    try:
        nonce = str(signing.loads(_from_url(token), salt=CONFIRM_SALT)["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (MeTooSubscription.objects.select_related("publication")
            .filter(confirm_nonce=nonce, unsubscribed_at__isnull=True).first())


def read_unsubscribe(token):
    """The subscription of a valid unsubscribe link, or ``LinkError``."""
    try:
        subscription_id = int(signing.loads(_from_url(token), salt=UNSUBSCRIBE_SALT)["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise LinkError("invalid") from error
    subscription = (MeTooSubscription.objects.select_related("publication")
                    .filter(pk=subscription_id).first())
    if subscription is None:
        raise LinkError("invalid")
    return subscription


def request_confirmation(publication, email, *, language, confirm_url):
    """Email the confirmation link; ``confirm_url(token)`` makes its address."""
    from ..notifications import queue_email

    token = confirmation_token(publication, email, language)
    return queue_email("metoo_confirm", normalise_email(email), language=language, context={
        "publication": publication, "confirm_url": confirm_url(token),
        "max_age_days": palaute_setting("METOO_CONFIRM_MAX_AGE_SECONDS") // 86400,
    })


def confirm(token):
    """Subscribe as the link says; ``(subscription, created)``. ``created`` is ``False``
    when the address followed the case already (nothing changes then)."""
    publication, email, language, nonce = read_confirmation(token)
    try:
        with queue.atomic():
            subscription = (MeTooSubscription.objects.select_for_update()
                            .filter(publication=publication, email=email).first())
            if subscription is not None and subscription.is_active:
                return subscription, False
            if subscription is None:
                subscription = MeTooSubscription(publication=publication, email=email)
            subscription.language = language
            subscription.confirm_nonce = nonce
            subscription.confirmed_at = timezone.now()
            subscription.unsubscribed_at = None
            subscription.save()
            FeedbackPublication.objects.filter(pk=publication.pk).update(
                affected_count=F("affected_count") + 1)
            transaction.on_commit(_bump_publications)
    except IntegrityError as error:
        # The same link (or address) confirmed by a concurrent request a moment ago.
        raise LinkError("used") from error
    return subscription, True


def unsubscribe(subscription):
    """End a subscription; ``False`` if it had ended already (nothing changes then)."""
    with queue.atomic():
        ended = MeTooSubscription.objects.filter(
            pk=subscription.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now())
        if ended:
            # Never below 1: the resident who reported the case is always affected.
            FeedbackPublication.objects.filter(
                pk=subscription.publication_id, affected_count__gt=1).update(
                affected_count=F("affected_count") - 1)
            transaction.on_commit(_bump_publications)
    return bool(ended)


def _bump_publications():
    from .actions import bump_publications_version

    bump_publications_version()


def notify_subscribers(sender, feedback, old_status=None, **kwargs):
    """Signal receiver: a case closed (resolved, already known…) emails its subscribers."""
    if feedback.status not in TOLD_STATUSES or old_status in TOLD_STATUSES:
        return
    from ..notifications import build_email, queue_emails
    from .links import public_case_url, unsubscribe_url

    subscriptions = list(MeTooSubscription.objects.filter(
        publication__feedback=feedback, publication__live=True,
        unsubscribed_at__isnull=True).select_related("publication__category"))
    if not subscriptions:
        return
    publication = subscriptions[0].publication
    status = Feedback.Status(feedback.status)
    emails = [build_email("metoo_closed", subscription.email, language=subscription.language,
                          feedback=feedback, context={
                              "publication": publication, "status": status,
                              "case_url": public_case_url(publication, subscription.language),
                              "unsubscribe_url": unsubscribe_url(subscription)})
              for subscription in subscriptions]
    queue_emails(emails)

