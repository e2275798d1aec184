"""Free-form form submissions in residents' data requests (``insights.data_requests``).

A free-form form keeps what the resident typed in Wagtail's own ``FormSubmission``
rows, also after a case was made of one. A data request finds the submissions that
hold the address (exactly, ignoring case) or the phone number (the same number however
written) as one of their answers, exports them and deletes them; one whose case is on
legal hold stays.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.models import FormSubmission


def _values(data):
    for value in (data or {}).values():
        if isinstance(value, list):
            yield from (str(item) for item in value)
        elif value is not None:
            yield str(value)


class FormSubmissionPersonalData:
    name = "form_submissions"
    label = _("Free-form form submissions")

    @staticmethod
    def of(email, phone=""):
        from ..insights.data_requests import (
            MIN_PHONE_DIGITS,
            international_number,
            national_digits,
        )

        email = (email or "").strip().lower()
        digits = national_digits(phone)
        wanted = international_number(phone) if len(digits) >= MIN_PHONE_DIGITS else None
        condition = Q()
        if email:
            condition |= Q(form_data__icontains=email)
        if wanted:
            # Written with spaces or dashes anywhere: its last four digits narrow the rows,
            # each answer is compared as a number here (a phone search found none before).
            condition |= Q(form_data__icontains=digits[-4:])
        if not condition:
            return []

        def matches(value):
            value = value.strip()
            return ((email and value.lower() == email)
                    or (wanted and any(ch.isdigit() for ch in value)
                        and international_number(value) == wanted))

        candidates = (FormSubmission.objects.filter(condition)
                      .select_related("page").order_by("submit_time", "pk"))
        return [submission for submission in candidates
                if any(matches(value) for value in _values(submission.form_data))]

    def find(self, email, phone):
        return [{"form": submission.page.title, "submitted": submission.submit_time,
                 "answers": submission.form_data} for submission in self.of(email, phone)]

    def erase(self, email, phone, *, user):
        from ..insights.models import LegalHold

        found = [submission.pk for submission in self.of(email, phone)]
        held = set(LegalHold.objects.filter(feedback__legacy_submission__in=found)
                   .values_list("feedback__legacy_submission", flat=True))
        return FormSubmission.objects.filter(pk__in=[pk for pk in found
                                                     if pk not in held]).delete()[0]
