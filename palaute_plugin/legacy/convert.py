"""Free-form form submissions into cases, and the form's own emails through the outbox.

``convert`` is the one way a submission becomes a case: the handler's bulk
conversion in the submissions listing and a form page's automatic routing both
call it.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter, log

from .. import actions, notifications, permissions, queue
from ..models import LANGUAGE_CHOICES, Feedback, FeedbackCategory

logger = logging.getLogger(__name__)

CONVERTED = "palaute_plugin.converted_from_form"


class ConversionError(actions.ActionError):
    """The submissions could not be converted; nothing was created."""


@dataclass(frozen=True)
class Mapping:
    """Which category and kind the cases get and which form fields fill them."""

    category: FeedbackCategory | None
    kind: str = Feedback.Kind.FEEDBACK
    message_field: str = ""
    name_field: str = ""
    email_field: str = ""
    phone_field: str = ""


def page_language(page):
    code = (page.locale.language_code or "fi")[:2]
    return code if code in dict(LANGUAGE_CHOICES) else "fi"


def may_convert_into(user, category):
    """Only those who may handle a category turn submissions into its cases."""
    return (category is not None and category.accepts_feedback
            and permissions.handlers_of(FeedbackCategory.objects.filter(pk=category.pk))
            .filter(pk=user.pk).exists())


def as_text(value):
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value).strip()


def to_submission(form_submission, mapping, page, language):
    """The ``actions.Submission`` of one form submission, or ``ConversionError``."""
    fields = dict(page.feedback_field_choices())
    for name in (mapping.message_field, mapping.name_field, mapping.email_field,
                 mapping.phone_field):
        if name and name not in fields:
            raise ConversionError(_("The form has no field “%(field)s”. Check the mapping.")
                                  % {"field": name})
    data = form_submission.get_data()
    message = as_text(data.get(mapping.message_field))
    if not message:
        raise ConversionError(_("Submission %(id)s has no message in the field “%(field)s”.")
                              % {"id": form_submission.pk,
                                 "field": fields[mapping.message_field]})
    email = as_text(data.get(mapping.email_field)) if mapping.email_field else ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            email = ""  # an answer that is no address: the case is made without it
    return actions.Submission(
        category=mapping.category, kind=mapping.kind, message=message,
        contact_name=as_text(data.get(mapping.name_field))[:150] if mapping.name_field else "",
        contact_email=email[:254],
        contact_phone=as_text(data.get(mapping.phone_field))[:50] if mapping.phone_field else "",
        language=language, channel=Feedback.Channel.LEGACY_FORM,
        legacy_submission=form_submission, publish_consent=False)


def convert(page, form_submissions, mapping, *, user=None):
    """Make a case of each submission, all or none; returns the cases.

    ``user`` None is the page's own automatic routing; a user must be one who may
    handle the mapping's category. A submission converted already is refused.
    """
    if mapping.category is None or not mapping.category.accepts_feedback:
        raise ConversionError(_("Choose an active category."))
    if user is not None and not may_convert_into(user, mapping.category):
        raise ConversionError(_("Choose an active category you handle."))
    if not mapping.message_field:
        raise ConversionError(_("Choose the field that holds the message."))
    language = page_language(page)
    cases = []
    with queue.atomic():
        locked = list(page.get_submission_class()._default_manager
                      .select_for_update().filter(page=page,
                                                  pk__in=[s.pk for s in form_submissions])
                      .order_by("pk"))
        if len(locked) != len({s.pk for s in form_submissions}):
            raise ConversionError(_("Choose submissions of this form only."))
        done = Feedback.objects.filter(legacy_submission__in=locked).values_list(
            "reference", flat=True)
        if done:
            raise ConversionError(_("Already converted into feedback: %(references)s.")
                                  % {"references": ", ".join(done)})
        submissions = [to_submission(s, mapping, page, language) for s in locked]
        feedback_page = actions.feedback_page_for(language)
        for form_submission, submission in zip(locked, submissions, strict=True):
            case = actions.submit_feedback(submission, page=feedback_page, user=user)
            log(instance=case, action=CONVERTED, user=user,
                data={"form": page.title, "submission": form_submission.pk})
            cases.append(case)
    return cases


def auto_route(page, form_submission):
    """A new submission into a case with the page's saved mapping; None if it cannot be."""
    try:
        return convert(page, [form_submission], page.feedback_mapping())[0]
    except ConversionError as error:
        # The submission stays in the form's listing, where a handler can convert it.
        logger.warning("Submission %s of form %s not routed: %s", form_submission.pk,
                       page.pk, error)
        return None


def resident_email(page, data):
    """The address a resident left: the mapped email field, else the form's first."""
    names = [page.feedback_field_name(page.feedback_email_field)] + [
        field.clean_name for field in page.get_form_fields() if field.field_type == "email"]
    for name in names:
        value = as_text(data.get(name)) if name else ""
        if value:
            try:
                validate_email(value)
            except ValidationError:
                continue
            return value
    return ""


def answers(page, data):
    """``(label, answer)`` of each field, as the resident filled it in."""
    return [(label, as_text(data.get(name))) for name, label in page.feedback_field_choices()]


def queue_receipt(page, form_submission):
    """The resident's receipt of a submission that stays in the form, in the page's language."""
    data = form_submission.get_data()
    address = resident_email(page, data)
    if not address:
        return None
    return notifications.queue_email(
        "legacy_receipt", address, language=page_language(page), to_resident=True,
        context={"page": page, "answers": answers(page, data),
                 "submitted": form_submission.submit_time})


def queue_form_emails(page, form):
    """The form's notification to its ``to_address``es, through the outbox."""
    addresses = [a.strip() for a in page.to_address.split(",") if a.strip()]
    listing = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "wagtailforms:list_submissions", args=[page.pk])
    context = {"page": page, "subject_line": page.subject, "listing_url": listing,
               "answers": answers(page, form.cleaned_data)}
    return notifications.queue_emails([
        notifications.build_email("legacy_form", address, language=settings.LANGUAGE_CODE[:2],
                                  context=context)
        for address in addresses])


class ConvertedFormatter(LogFormatter):
    label = _("Converted from a free-form form")

    def format_message(self, log_entry):
        return _("Made from a submission of the form “%(form)s”") % {
            "form": (log_entry.data or {}).get("form", "")}


LOG_ACTIONS = {CONVERTED: ConvertedFormatter}
