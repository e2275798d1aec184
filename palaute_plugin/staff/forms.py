"""Forms of the staff's case actions and of feedback entered by staff.

Each action form cleans what its action in ``actions.py`` needs and nothing
more; the action itself checks permission, status and version. To change an
action's fields, subclass its form and put the subclass in ``ACTION_FORMS``.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from django.utils.timezone import localdate, localtime
from django.utils.translation import gettext_lazy as _
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.widgets import AdminDateInput

from .. import actions
from ..conf import palaute_setting
from ..fields import (
    PHOTO_ACCEPT,
    MultipleFileInput,
    MultiplePhotoField,
    OneLineField,
    clean_phone,
    clean_photo_files,
)
from ..geo import distance_between
from ..models import (
    LANGUAGE_CHOICES,
    Feedback,
    FeedbackCategory,
    OtherAuthority,
    ResponseTemplate,
    language_name,
)
from ..numbers import whole_number
from ..permissions import feedback_for_user, handlers_of, visible_categories
from ..photos.images import clean_photo

CANDIDATE_PREVIEW_CHARS = 60
STAFF_CHANNELS = (
    Feedback.Channel.PHONE,
    Feedback.Channel.POST,
    Feedback.Channel.SERVICE_POINT,
    Feedback.Channel.EMAIL,
)


def textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


def optional_resident_message():
    """The optional message to the resident of the actions that email them."""
    return forms.CharField(
        label=_("Message to the resident (optional)"), required=False, widget=textarea(),
    )


class ActionForm(forms.Form):
    """One action on one case.

    ``action_fields`` name the cleaned values passed to the action function;
    ``success_text`` is formatted with ``success_params()``. Set ``emails_resident``
    when the action writes to the resident, so the screen can say so, and
    ``previewable`` when a ``preview`` button shows the email before it is sent;
    ``icon_name`` is the Wagtail icon of its button on the case screen.
    """

    name = ""
    label = ""
    icon_name = None
    submit_label = ""
    help = ""
    success_text = ""
    action_fields = ()
    emails_resident = False
    previewable = False
    button_class = "button button-small"
    template_name = "palaute_plugin/admin/actions/form.html"
    #: Templates list the action form classes of a case: a class is not called there.
    do_not_call_in_templates = True

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, feedback, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.name}_%s")
        kwargs.setdefault("initial", {"expected_version": feedback.version})
        super().__init__(*args, **kwargs)
        self.feedback = feedback
        self.user = user

    @classmethod
    def asks_for_input(cls):
        """Whether the action has fields to fill in, or is one button (``take``)."""
        return any(not field.widget.is_hidden for field in cls.base_fields.values())

    def clean(self):
        cleaned = super().clean()
        if self.name in actions.WAIT_FOR_PENDING_ANSWER and actions.has_pending_answer(
                self.feedback):
            raise ValidationError(actions.ANSWER_PENDING_MESSAGE, code="answer_pending")
        return cleaned

    @classmethod
    def initial_from(cls, query):
        """Values a link to the form may fill in (``?name=value``); none by default."""
        return {}

    def action_kwargs(self):
        return {field: self.cleaned_data[field] for field in self.action_fields} | {
            "expected_version": self.cleaned_data.get("expected_version"),
        }

    def success_params(self, feedback):
        return {"reference": feedback.reference}

    def success_message(self, feedback):
        return self.success_text % self.success_params(feedback)


class TakeForm(ActionForm):
    """Take the case, worded for whom it is assigned to: nobody ("Take"), the user
    themself as a new case's responsible person ("Start handling": the case goes to
    in progress) or a colleague ("Take over")."""

    template_name = "palaute_plugin/admin/actions/button.html"
    name = "take"
    label = _("Take")
    icon_name = "user"
    submit_label = _("Take this case")
    success_text = _("You now handle feedback %(reference)s.")
    #: (label, submit_label, success_text) by ``wording()``'s key.
    WORDINGS = {
        "start": (_("Start handling"), _("Start handling"),
                  _("You started handling feedback %(reference)s.")),
        "take_over": (_("Take over"), _("Take over this case"),
                      _("You took over feedback %(reference)s.")),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        key = self.wording(self.feedback, self.user)
        if key in self.WORDINGS:
            self.label, self.submit_label, self.success_text = self.WORDINGS[key]

    @staticmethod
    def wording(feedback, user):
        """"take" (nobody's), "start" (already the user's) or "take_over" (a colleague's)."""
        if feedback.assignee_id is None:
            return "take"
        return "start" if feedback.assignee_id == getattr(user, "pk", None) else "take_over"


class AssigneeField(forms.ModelChoiceField):
    """A person from ``permissions.handlers_of`` the cases' categories (the queryset)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Assign to"))
        kwargs.setdefault("empty_label", _("Choose a person"))
        kwargs.setdefault("error_messages", {
            "required": _("Choose a person."),
            "invalid_choice": _("Choose a person who handles this category."),
        })
        super().__init__(queryset=get_user_model().objects.none(), **kwargs)

    def label_from_instance(self, obj):
        return get_user_display_name(obj)


class AssignForm(ActionForm):
    name = "assign"
    label = _("Assign")
    icon_name = "group"
    submit_label = _("Assign")
    success_text = _("Feedback %(reference)s was assigned to %(name)s.")
    action_fields = ("assignee",)

    assignee = AssigneeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = handlers_of(
            FeedbackCategory.objects.filter(pk=self.feedback.category_id))

    def success_params(self, feedback):
        return {**super().success_params(feedback),
                "name": get_user_display_name(self.cleaned_data["assignee"])}


class TemplateSelect(forms.Select):
    """Each option carries its template's text, filled in for the case, for admin-actions.js."""

    def __init__(self, *args, texts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts = texts or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)
        if key in self.texts:
            option["attrs"]["data-text"] = self.texts[key]
        return option


def response_templates_for(category):
    """Templates for every category, for the category, and for the groups above it."""
    ancestors, current = [], category
    while current is not None and current.pk not in ancestors:
        ancestors.append(current.pk)
        current = current.parent
    return ResponseTemplate.objects.filter(
        Q(category__isnull=True) | Q(category__in=ancestors)
    ).order_by(ResponseTemplate.title_ordering(), "pk")


APPROVAL_HELP = _("Answers in this category are approved before they are sent: the text goes "
                  "to the approvers first, and the resident gets it once it is approved.")


class TemplatedActionForm(ActionForm):
    """An action that writes to the resident, with a response template to start from.

    ``text_field`` names the field the template fills in; it may be left empty
    when a template is chosen (without JavaScript the template is the text).
    ``text_required`` is the error when neither is given.
    """

    text_field = "message"
    text_required = _("Write the text or choose a response template.")
    template_help = _("Choosing one fills in the text below; you can still edit it.")

    response_template = forms.ModelChoiceField(
        label=_("Response template"), queryset=None, required=False,
        empty_label=_("No template: write freely"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = response_templates_for(self.feedback.category)
        templates = list(queryset)
        field = self.fields["response_template"]
        field.queryset = queryset
        field.help_text = self.template_help
        field.widget = TemplateSelect(
            texts={t.pk: t.render(self.feedback) for t in templates},
            attrs={"data-palaute-template-for": self[self.text_field].auto_id,
                   "data-palaute-confirm": _("Replace what you have written with the template?")},
        )
        field.widget.choices = field.choices
        self.has_templates = bool(templates)
        if not self.has_templates:
            field.widget = forms.HiddenInput()
        self.requires_approval = self.feedback.category.answer_approvers_id is not None
        if self.requires_approval:
            self.set_text_help(APPROVAL_HELP)

    def set_text_help(self, text):
        self.fields[self.text_field].help_text = text
        # The bound field (made above for its id) copied the old help text: make it anew.
        self._bound_fields_cache.pop(self.text_field, None)

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get(self.text_field) or "").strip()
        template = cleaned.get("response_template")
        if not text and template is not None:
            # Without JavaScript the chosen template is the text.
            text = template.render(self.feedback)
        if not text and self.text_field not in self.errors:
            self.add_error(self.text_field, ValidationError(self.text_required, code="required"))
        cleaned[self.text_field] = text
        return cleaned


class ReplyForm(TemplatedActionForm):
    name = "reply"
    label = _("Reply to the resident")
    icon_name = "mail"
    submit_label = _("Send reply")
    success_text = _("Your reply to %(reference)s was saved.")
    action_fields = ("message",)
    emails_resident = True
    previewable = True
    template_name = "palaute_plugin/admin/actions/reply.html"
    text_required = _("Write the reply or choose a response template.")
    template_help = _("Choosing one fills in the reply; you can still edit it.")

    message = forms.CharField(label=_("Reply"), required=False, widget=textarea(6))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_text_help(self.message_help())

    def message_help(self):
        if self.requires_approval:
            return APPROVAL_HELP
        if not self.feedback.contact_email:
            return _("The resident left no email address: the reply is kept in the "
                     "case's history only.")
        return _("The resident gets this text by email. Write in their language: "
                 "%(language)s.") % {"language": language_name(self.feedback.language)}


def distance_label(metres):
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(distance)s m away") % {"distance": int(round(metres, -1))}
    return _("%(distance)s km away") % {"distance": f"{metres / 1000:.1f}"}


class AlreadyKnownForm(ActionForm):
    name = "already_known"
    label = _("Already known")
    icon_name = "link"
    submit_label = _("Mark as already known")
    help = _("The resident is told the matter was noted earlier, and again when the earlier "
             "case is resolved.")
    success_text = _("Feedback %(reference)s was marked as already known (earlier: %(earlier)s).")
    action_fields = ("earlier", "message")
    emails_resident = True

    earlier = forms.ModelChoiceField(
        label=_("Earlier feedback"), queryset=None, required=False,
        widget=forms.RadioSelect,
        help_text=_("Feedback of the same category, the nearest first."),
        error_messages={"invalid_choice": _("That feedback cannot be chosen: choose one "
                                            "from the list.")},
    )
    reference = forms.CharField(
        label=_("Or the earlier feedback's reference"), required=False, max_length=30,
        help_text=_("For an earlier case that is not listed above."),
    )
    message = optional_resident_message()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["earlier"]
        field.queryset = feedback_for_user(self.user).exclude(pk=self.feedback.pk)
        self.candidates = actions.nearby_candidates(self.feedback, user=self.user)
        field.choices = [(case.pk, self.candidate_label(case)) for case in self.candidates]
        if not self.candidates:
            del self.fields["earlier"]
            self.fields["reference"].label = _("The earlier feedback's reference")
            self.fields["reference"].help_text = _(
                "No other feedback of this category to list: type the earlier one's reference.")
        self.prefill_earlier()

    @classmethod
    def initial_from(cls, query):
        """``?earlier=<pk>``: a possible duplicate chosen on the case screen."""
        earlier = whole_number(query.get("earlier"))
        return {} if earlier is None else {"earlier": earlier}

    def prefill_earlier(self):
        """A case not among the listed candidates is filled in by its reference."""
        wanted = self.initial.get("earlier")
        if wanted is None or wanted in {case.pk for case in self.candidates}:
            return
        del self.initial["earlier"]
        earlier = feedback_for_user(self.user).exclude(pk=self.feedback.pk).filter(
            pk=wanted).first()
        if earlier is not None:
            self.initial["reference"] = earlier.reference

    def candidate_label(self, case):
        parts = [case.reference, date_format(localtime(case.created_at), "SHORT_DATE_FORMAT"),
                 str(case.get_status_display()),
                 distance_label(distance_between(self.feedback, case)),
                 Truncator(case.message).chars(CANDIDATE_PREVIEW_CHARS)]
        return " · ".join(str(part) for part in parts if part)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if not reference:
            return None
        earlier = feedback_for_user(self.user).filter(reference__iexact=reference).first()
        if earlier is None:
            raise ValidationError(
                _("No feedback you can see has the reference %(reference)s."),
                code="unknown_reference", params={"reference": reference})
        if earlier.pk == self.feedback.pk:
            raise ValidationError(_("Choose another feedback than this one."), code="itself")
        return earlier

    def clean(self):
        cleaned = super().clean()
        chosen, typed = cleaned.get("earlier"), cleaned.get("reference")
        if self.errors:
            return cleaned
        if chosen and typed and chosen.pk != typed.pk:
            raise ValidationError(
                _("Choose the earlier case from the list or type its reference, not both."),
                code="both")
        cleaned["earlier"] = typed or chosen
        if cleaned["earlier"] is None:
            field = "earlier" if "earlier" in self.fields else "reference"
            self.add_error(field, ValidationError(_("Choose the earlier case."),
                                                  code="required"))
        return cleaned

    def success_params(self, feedback):
        return {**super().success_params(feedback),
                "earlier": self.cleaned_data["earlier"].reference}


class ExpectedDateField(forms.DateField):
    """When the work is expected to be done, told to the resident: today or later, in
    Wagtail's date picker (the same input on every admin screen) or typed as 15.1.2027."""

    widget = AdminDateInput
    default_error_messages = {
        "invalid": _("Enter the date as 15.1.2027 or 2027-01-15, or leave it empty."),
        "past": _("The expected date cannot be in the past: the resident is told it."),
    }

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"], **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value < localdate():
            raise ValidationError(self.error_messages["past"], code="past")


class WorkListForm(ActionForm):
    name = "work_list"
    label = _("Move to the work list")
    icon_name = "list-ul"
    submit_label = _("Move to the work list")
    success_text = _("Feedback %(reference)s was moved to the work list.")
    action_fields = ("expected_date", "message")
    emails_resident = True

    expected_date = ExpectedDateField(
        label=_("Expected date (optional)"), required=False,
        help_text=_("When the work is expected to be done; told to the resident."),
    )
    message = optional_resident_message()


class RedirectForm(ActionForm):
    name = "redirect"
    label = _("Another authority's matter")
    icon_name = "redirect"
    submit_label = _("Direct to the authority")
    help = _("The resident is told which authority handles the matter, with its contacts.")
    success_text = _("Feedback %(reference)s was directed to %(authority)s.")
    action_fields = ("authority", "message")
    emails_resident = True

    authority = forms.ModelChoiceField(
        label=_("Authority"), queryset=OtherAuthority.objects.all(),
        empty_label=_("Choose an authority"),
        error_messages={"required": _("Choose an authority.")},
    )
    message = optional_resident_message()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.feedback.category.other_authority_id:
            self.fields["authority"].initial = self.feedback.category.other_authority_id

    def success_params(self, feedback):
        return {**super().success_params(feedback),
                "authority": self.cleaned_data["authority"].name}


class ResolveForm(TemplatedActionForm):
    name = "resolve"
    label = _("Resolve")
    icon_name = "check"
    submit_label = _("Resolve")
    success_text = _("Feedback %(reference)s was resolved.")
    action_fields = ("message",)
    emails_resident = True
    text_required = _("Write the answer to the resident.")

    message = forms.CharField(label=_("Answer to the resident"), required=False,
                              widget=textarea(5))


class CloseForm(TemplatedActionForm):
    name = "close"
    label = _("Close")
    icon_name = "cross"
    submit_label = _("Close")
    help = _("No further action. The reason is sent to the resident.")
    success_text = _("Feedback %(reference)s was closed.")
    action_fields = ("reason",)
    emails_resident = True
    text_field = "reason"
    text_required = _("Write the reason for closing.")

    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea())


class RejectForm(ActionForm):
    name = "reject"
    label = _("Reject as spam or inappropriate")
    icon_name = "warning"
    submit_label = _("Reject")
    help = _("The resident is not told, and the feedback is never published.")
    success_text = _("Feedback %(reference)s was rejected. The resident is not told.")
    action_fields = ("reason",)
    button_class = "button button-small no"

    reason = forms.CharField(
        label=_("Reason (for staff only, optional)"), required=False, widget=textarea(2),
    )


class ReopenForm(ActionForm):
    template_name = "palaute_plugin/admin/actions/button.html"
    name = "reopen"
    label = _("Reopen")
    icon_name = "rotate"
    submit_label = _("Reopen")
    success_text = _("Feedback %(reference)s was reopened.")

    def success_message(self, feedback):
        message = super().success_message(feedback)
        # ``self.feedback`` is the case as it was: a resident told of it is told again.
        if self.feedback.status in actions.TOLD_RESIDENT and feedback.contact_email:
            message = f"{message} {_('The resident is told by email.')}"
        return message


class ChangeCategoryForm(ActionForm):
    name = "change_category"
    label = _("Change category")
    icon_name = "tag"
    submit_label = _("Change category")
    help = _("The new category's responsible person gets the case and is notified.")
    success_text = _("Feedback %(reference)s was moved to %(category)s.")
    action_fields = ("category",)

    category = forms.ModelChoiceField(
        label=_("New category"), queryset=None, empty_label=_("Choose a category"),
        error_messages={"required": _("Choose a category."),
                        "invalid_choice": _("Choose an active category you handle.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any active city category: re-routing hands the case to another team.
        self.fields["category"].queryset = (
            FeedbackCategory.objects.accepting_feedback()
            .exclude(pk=self.feedback.category_id).select_related("parent")
            .order_by("sort_order", "name_fi")
        )

    def success_params(self, feedback):
        return {**super().success_params(feedback), "category": feedback.category}


class NoteForm(ActionForm):
    name = "note"
    label = _("Internal note")
    icon_name = "edit"
    submit_label = _("Add note")
    help = _("Only staff see notes; they are never shown or sent to the resident.")
    success_text = _("Your note was added to %(reference)s.")
    action_fields = ("text",)
    button_class = "button button-small button-secondary"

    text = forms.CharField(
        label=_("Note"), widget=textarea(),
        error_messages={"required": _("Write the note.")},
    )


ACTION_FORMS = {
    form.name: form
    for form in (TakeForm, AssignForm, ReplyForm, AlreadyKnownForm, WorkListForm, RedirectForm,
                 ResolveForm, CloseForm, RejectForm, ReopenForm, ChangeCategoryForm, NoteForm)
}


def action_form_classes(feedback, user):
    """The form classes of the actions available now, in the order the screen shows them."""
    return [ACTION_FORMS[name] for name in actions.available_actions(feedback, user)
            if name in ACTION_FORMS]


# --- feedback entered by staff -------------------------------------------------------


def staff_entry_categories(user):
    """The categories a user may file a case under: visible, active, the city's own."""
    return (
        visible_categories(user)
        .accepting_feedback()
        .select_related("parent")
        .order_by("sort_order", "name_fi")
    )


def can_enter_feedback(user):
    return staff_entry_categories(user).exists()


class StaffCategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class StaffFeedbackForm(forms.Form):
    """Feedback that came by phone, post, email or at the service point.

    The same fields as the resident's form plus the channel; the contact details
    are optional and the place is typed as coordinates. ``submission()`` is
    what ``actions.create_staff_feedback`` takes.
    """

    channel = forms.ChoiceField(
        label=_("Received by"), widget=forms.RadioSelect,
        choices=[(value, capfirst(Feedback.Channel(value).label)) for value in STAFF_CHANNELS],
        error_messages={"required": _("Choose how the feedback was received.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"), widget=forms.RadioSelect, initial=Feedback.Kind.FEEDBACK,
        choices=[(value, capfirst(label)) for value, label in Feedback.Kind.choices],
    )
    category = StaffCategoryChoiceField(
        label=_("Category"), queryset=FeedbackCategory.objects.none(),
        empty_label=_("Choose a category"),
        error_messages={"required": _("Choose a category."),
                        "invalid_choice": _("Choose an active category you handle.")},
    )
    message = forms.CharField(
        label=_("Message"), widget=textarea(8),
        error_messages={"required": _("Write the resident's message.")},
    )
    address = OneLineField(label=_("Address or place (optional)"), required=False,
                              max_length=255)
    latitude = forms.FloatField(
        label=_("Latitude (optional)"), required=False, min_value=-90, max_value=90,
        help_text=_("Decimal degrees, e.g. 65.8481."),
    )
    longitude = forms.FloatField(
        label=_("Longitude (optional)"), required=False, min_value=-180, max_value=180,
        help_text=_("Decimal degrees, e.g. 24.1466."),
    )
    contact_name = OneLineField(label=_("Resident's name (optional)"), required=False,
                                   max_length=150)
    contact_email = forms.EmailField(
        label=_("Resident's email (optional)"), required=False, max_length=254,
        help_text=_("The resident gets the receipt and every decision at this address."),
    )
    contact_phone = forms.CharField(label=_("Resident's phone (optional)"), required=False,
                                    max_length=50)
    language = forms.ChoiceField(
        label=_("Resident's language"), choices=LANGUAGE_CHOICES, initial="fi",
        help_text=_("Emails to the resident are written in this language."),
    )
    photos = MultiplePhotoField(
        label=_("Photos (optional)"), required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    do_not_publish = forms.BooleanField(
        label=_("The resident does not want the feedback published"), required=False,
        help_text=_("Otherwise it may be published after moderation, without the "
                    "resident's name or contact details."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = staff_entry_categories(user)
        self.fields["message"].max_length = palaute_setting("MESSAGE_MAX_LENGTH")
        self.fields["message"].validators.append(
            forms.fields.validators.MaxLengthValidator(palaute_setting("MESSAGE_MAX_LENGTH"))
        )

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"],
                           _("Enter a phone number with digits only, e.g. 040 123 4567."))

    def clean_photos(self):
        # The full clean here: staff photos are stored ready, not cleaned by a task.
        return clean_photo_files(self.cleaned_data.get("photos"), check=clean_photo)

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not self.has_error("latitude") \
                and not self.has_error("longitude"):
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, ValidationError(
                _("Give both the latitude and the longitude, or neither."), code="half_point"))
        if self.errors and cleaned.get("photos") and not self.has_error("photos"):
            # A browser cannot keep a chosen file when the form is shown again: say so
            # where the photos were, rather than drop them without a word.
            self.add_error("photos", ValidationError(
                _("Choose the photos again: a chosen file cannot be kept while the form "
                  "is corrected."), code="choose_again"))
        return cleaned

    def submission(self):
        """The valid form as an ``actions.Submission``."""
        data = self.cleaned_data
        location = None
        if data["latitude"] is not None and data["longitude"] is not None:
            location = (data["latitude"], data["longitude"])
        return actions.Submission(
            channel=data["channel"], kind=data["kind"], category=data["category"],
            message=data["message"].strip(), location=location,
            address=data["address"].strip(), contact_name=data["contact_name"].strip(),
            contact_email=data["contact_email"], contact_phone=data["contact_phone"],
            language=data["language"], photos=tuple(data["photos"]),
            publish_consent=not data.get("do_not_publish"))
