"""Free-form form submissions in residents' data requests (``insights.data_requests``).

A free-form form keeps what the resident typed in Wagtail's own ``FormSubmission``
rows, also after a case was made of one. A data request finds the submissions that
hold the address as one of their answers (exactly, ignoring case), exports them and
deletes them; one whose case is on legal hold stays.
"""

from wagtail.contrib.forms.models import FormSubmission


def _values(data):
    for value in (data or {}).values():
        if isinstance(value, list):
            yield from (str(item) for item in value)
        elif value is not None:
            yield str(value)


class FormSubmissionPersonalData:
    name = "form_submissions"

    @staticmethod
    def of(email):
        email = (email or "").strip().lower()
        if not email:
            return []
        candidates = (FormSubmission.objects.filter(form_data__icontains=email)
                      .select_related("page").order_by("submit_time", "pk"))
        return [submission for submission in candidates
                if any(value.strip().lower() == email for value in _values(submission.form_data))]

    def find(self, email, phone):
        return [{"form": submission.page.title, "submitted": submission.submit_time,
                 "answers": submission.form_data} for submission in self.of(email)]

    def erase(self, email, phone, *, user):
        from ..insights.models import LegalHold

        found = [submission.pk for submission in self.of(email)]
        held = set(LegalHold.objects.filter(feedback__legacy_submission__in=found)
                   .values_list("feedback__legacy_submission", flat=True))
        return FormSubmission.objects.filter(pk__in=[pk for pk in found
                                                     if pk not in held]).delete()[0]
