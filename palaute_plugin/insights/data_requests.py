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
from wagtail import hooks

from ..log_actions import public_history
from ..models import Feedback
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
