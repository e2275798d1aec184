"""Residents' data rights (GDPR articles 15 and 17): find, export and erase by address.

``cases_for(email, phone)`` finds every case tied to an email address or phone number
(the phone in any common format, read as Finnish unless it names its country, and
matched in full: a Swedish number ending in the same digits is another person's);
``export`` is the resident's copy;
erasure is the same anonymisation as retention (``retention.erase_personal_data``),
logged in each case's history without the address. Cases on legal hold are left as
they are and reported.

Other parts of the app that keep an address (e.g. "me too" subscriptions) take part
by registering a ``PersonalDataSource`` with the Wagtail hook
``register_palaute_personal_data`` (a function returning the source).
"""

import json

import phonenumbers
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from ..log_actions import public_history
from ..models import Feedback, Notification
from . import retention

#: Fewer digits than this could match many strangers' numbers.
MIN_PHONE_DIGITS = 6


#: A number without its country code is a Finnish one (the residents' and the forms').
DEFAULT_REGION = "FI"


def parsed_number(phone):
    """``phone`` as a ``phonenumbers.PhoneNumber`` (None when it is no number)."""
    try:
        return phonenumbers.parse(phone or "", DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None


def national_digits(phone):
    """``+358 40 123 4567``, ``040-1234567`` and ``00358401234567`` → ``401234567`` (and
    ``+46 40 123 4567`` too: ``international_number`` tells the two apart)."""
    number = parsed_number(phone)
    return "" if number is None else phonenumbers.national_significant_number(number)


def international_number(phone):
    """The number in full (E.164): ``040 123 4567`` → ``+358401234567``; None when none."""
    number = parsed_number(phone)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits_expression():
    expression = "contact_phone"
    for character in (" ", "-", "+", "(", ")", "."):
        expression = Replace(expression, Value(character), Value(""))
    return expression


def cases_for(email="", phone=""):
    """The cases whose contact email (any case) or phone number matches."""
    condition = Q()
    if email.strip():
        condition |= Q(contact_email__iexact=email.strip())
    digits = national_digits(phone)
    if len(digits) >= MIN_PHONE_DIGITS:
        # The numbers ending in the same digits, read in full here: a few at most.
        wanted = international_number(phone)
        candidates = (Feedback.objects.annotate(phone_digits=phone_digits_expression())
                      .filter(phone_digits__endswith=digits).values_list("pk", "contact_phone"))
        condition |= Q(pk__in=[pk for pk, stored in candidates
                               if international_number(stored) == wanted])
    if not condition:
        return Feedback.objects.none()
    return (Feedback.objects.filter(condition).select_related("category__parent", "legal_hold")
            .order_by("created_at", "pk"))


HOOK = "register_palaute_personal_data"


class PersonalDataSource:
    """What another part of the app holds about a resident, found by email or phone.

    ``name`` is its key in the export (e.g. ``"subscriptions"``) and ``label`` what staff
    read of it; ``find`` returns JSON-serialisable records; ``erase`` removes them and
    returns how many went.
    """

    name = ""
    label = ""

    def find(self, email, phone):
        raise NotImplementedError

    def erase(self, email, phone, *, user):
        raise NotImplementedError


#: The emails of "me too" (``publication.subscriptions``): to a resident, of another case.
METOO_EMAILS = ("metoo_confirm", "metoo_closed")


class EmailsPersonalData(PersonalDataSource):
    """The "me too" emails sent to the address: a confirmation, or a closing notice of
    someone else's public case. Their rows kept the address and the
    whole text after an erasure (acceptance test, 2026-12-03). The export lists them; the
    erasure empties them as retention does a case's (``retention._anonymise_emails``), and
    one not yet sent is not sent."""

    name = "emails"
    label = _("Emails to the resident about other cases (“me too”)")

    @staticmethod
    def of(email):
        email = (email or "").strip()
        if not email:
            return Notification.objects.none()
        # Their own cases' emails go with the cases (``retention._anonymise_emails``).
        return (Notification.objects.filter(template__in=METOO_EMAILS, recipient__iexact=email)
                .exclude(feedback__legal_hold__isnull=False).order_by("created_at", "pk"))

    def find(self, email, phone):
        return [{"time": row.created_at, "subject": row.subject, "text": row.body_text}
                for row in self.of(email)]

    def erase(self, email, phone, *, user):
        rows = self.of(email)
        rows.filter(state__in=[Notification.State.PENDING, Notification.State.SENDING]).update(
            state=Notification.State.FAILED, last_error="Personal data removed before sending.")
        return rows.update(recipient="", body_text="", body_html="")


def sources():
    return [make_source() for make_source in hooks.get_hooks(HOOK)]


def source_labels():
    """``{source name: what staff read of it}``."""
    return {source.name: source.label or source.name for source in sources()}


def other_records(email="", phone=""):
    """``{source name: [records]}`` of the registered sources (empty lists left out)."""
    found = {source.name: source.find(email, phone) for source in sources()}
    return {name: records for name, records in found.items() if records}


def case_record(case):
    """One case as the resident gets it: what they sent and what they were told, in the
    language they wrote in (the topic's name included; it was always the Finnish one)."""
    with translation.override(case.language or settings.LANGUAGE_CODE):
        return _case_record(case)


def _case_record(case):
    return {
        "reference": case.reference,
        "received": case.created_at,
        "kind": case.get_kind_display(),
        "category": case.category.name,
        "channel": case.get_channel_display(),
        "status": case.get_status_display(),
        "message": case.message,
        "address": case.address,
        "latitude": case.latitude,
        "longitude": case.longitude,
        "contact": {"name": case.contact_name, "email": case.contact_email,
                    "phone": case.contact_phone},
        "language": case.language,
        "photos": case.photos.count(),
        "history": [{"time": entry.timestamp, "step": str(entry.message),
                     "text": (entry.data or {}).get("public_message", "")}
                    for entry in public_history(case)],
    }


def export(cases, others=None):
    """The resident's copy as JSON text (UTF-8, indented): the cases and ``others``
    (``other_records``)."""
    data = {"cases": [case_record(case) for case in cases], **(others or {})}
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def erase_others(email, phone, *, user):
    """Erase what the registered sources hold; return how many records went."""
    return sum(source.erase(email, phone, user=user) for source in sources())


def erase(cases, *, user):
    """Erase the personal data of ``cases``; return ``(erased, on_hold)`` references."""
    erased, on_hold = [], []
    for case in cases:
        if hasattr(case, "legal_hold"):
            on_hold.append(case.reference)
            continue
        changed = retention.erase_personal_data(case.pk, reason=retention.REQUEST, user=user)
        changed |= retention.delete_photos(case.pk, user=user)
        if changed:
            erased.append(case.reference)
    return erased, on_hold
