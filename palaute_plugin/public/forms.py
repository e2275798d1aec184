"""The resident's feedback form."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIteratorValue
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from ..actions import Submission
from ..conf import palaute_setting
from ..fields import (
    PHOTO_ACCEPT,
    MessageField,
    MultipleFileInput,
    MultiplePhotoField,
    OneLineField,
    TelInput,
    clean_phone,
    clean_photo_files,
    count_characters,
)
from ..geo import geocoder, parse_point, within_city_area
from ..models import Feedback, FeedbackCategory, current_language
from ..photos import pending
from ..photos.images import inspect_photo, validate_photo_count, validate_total_pixels
from . import antispam
from .caching import active_categories
from .widgets import MAP_STRINGS, ResidentMapWidget

#: The coordinate box as a resident types it: ``65.848, 24.147`` (latitude, longitude).
TYPED_POINT_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def _attrs_html(attrs):
    """Django's ``widgets/attrs.html``: `` name="value"``, a bare name for True, nothing
    for False."""
    return "".join(
        f" {conditional_escape(name)}" if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items() if value is not False)


class CategorySelect(forms.Select):
    """Options carry what the page's script needs to adapt the form to the category.

    Rendered by ``render`` as Django's ``select.html`` and ``select_option.html`` would,
    character for character (a test compares them), without a template per option: the
    topic list is rendered again whenever the categories change, by the request that
    finds it missing (a template per option cost more than the rest of that request)."""

    DJANGO_TEMPLATES = ("django/forms/widgets/select.html",
                        "django/forms/widgets/select_option.html")

    def render(self, name, value, attrs=None, renderer=None):
        renderer = renderer or get_default_renderer()
        if (self.template_name, self.option_template_name) != self.DJANGO_TEMPLATES or (
                type(renderer) is not DjangoTemplates):  # a site's own widget templates
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"'
                 f'{_attrs_html(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f'{_attrs_html(option["attrs"])}>{conditional_escape(option["label"])}</option>\n'
                for option in options)  # (the option template's file ends in a newline)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        category = getattr(value, "instance", None)
        if category is not None:
            option["attrs"].update({
                "data-location": category.location_mode,
                "data-photos": "1" if category.photos_enabled else "0",
                "data-authority": category.other_authority_id or "",
            })
        return option


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories grouped under their top-level group, as ``<optgroup>``s."""

    widget = CategorySelect

    def label_from_instance(self, obj):
        return obj.name

    def to_python(self, value):
        """Find the choice among the categories already loaded for the options."""
        loaded = {str(c.pk): c for c in getattr(self, "categories", ())}
        if str(value) in loaded:
            return loaded[str(value)]
        return super().to_python(value)

    def grouped_choices(self, categories=None):
        """Top-level groups with children become ``<optgroup>``s; lone ones stay options.

        ``categories``: those of the queryset, already loaded (default: the queryset's).
        """
        self.categories = categories = list(self.queryset if categories is None else categories)
        children = {}
        for category in categories:
            if category.parent_id:
                children.setdefault(category.parent_id, []).append(category)

        def option(category):
            return (ModelChoiceIteratorValue(category.pk, category), category.name)

        choices = [("", self.empty_label)]
        for category in categories:
            if category.parent_id:
                continue
            if category.pk in children:
                choices.append((category.name, [option(c) for c in children[category.pk]]))
            else:
                choices.append(option(category))
        return choices


#: The message's length errors (made once: each ``ngettext_lazy`` with a named count
#: builds a class of its own).
MESSAGE_TOO_SHORT = ngettext_lazy(
    "Write at least %(limit_value)d character in your message (now %(show_value)d).",
    "Write at least %(limit_value)d characters in your message (now %(show_value)d).",
    "limit_value")
MESSAGE_TOO_LONG = ngettext_lazy(
    "Your message can be at most %(limit_value)d character long (now %(show_value)d). "
    "Shorten it or send the rest as another message.",
    "Your message can be at most %(limit_value)d characters long (now %(show_value)d). "
    "Shorten it or send the rest as another message.",
    "limit_value")


class FeedbackForm(forms.Form):
    """Kind, category, message, photos, place, optional contact details.

    Override ``clean_*`` methods in a subclass to add rules; the view saves
    through ``actions.submit_feedback``.
    """

    kind = forms.ChoiceField(
        label=_("What would you like to send?"),
        choices=[(value, capfirst(label)) for value, label in Feedback.Kind.choices],
        widget=forms.RadioSelect, initial=Feedback.Kind.FEEDBACK,
        error_messages={
            "required": _("Choose what you would like to send: feedback, a question or a "
                          "proposal."),
            "invalid_choice": _("Choose feedback, a question or a proposal."),
        },
    )
    category = CategoryChoiceField(
        label=_("Topic"), queryset=FeedbackCategory.objects.none(),
        empty_label=_("Choose a topic"),
        error_messages={"required": _("Choose the topic of your message."),
                        "invalid_choice": _("Choose a topic from the list.")},
    )
    message = MessageField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": _("Write your message.")})
    photos = MultiplePhotoField(
        label=_("Photos (optional)"), required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    location = forms.CharField(
        # Neither alone is needed: the section's legend says whether the topic needs one of
        # them (each said "optional" under "needed for this topic").
        label=_("Place on the map"), required=False,
        widget=ResidentMapWidget(address_field="address", hide_latlng=False),
    )
    address = OneLineField(
        label=_("Address or place"), required=False, max_length=255,
        help_text=_("For example a street address or a landmark."),
        error_messages={"max_length": _("Shorten the address or place to at most "
                                        "%(limit_value)d characters.")},
    )
    contact_name = OneLineField(label=_("Name (optional)"), required=False, max_length=150)
    contact_email = forms.EmailField(
        label=_("Email (optional)"), required=False, max_length=254,
        help_text=_("Needed only if you want an answer and updates by email."),
        error_messages={"invalid": _("Enter the email address in the form "
                                     "name@example.com, or leave it empty.")},
    )
    contact_phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=50,
                                    widget=TelInput)
    do_not_publish = forms.BooleanField(
        label=_("Do not publish my feedback"), required=False,
        help_text=_("Feedback may be published on this site after moderation, without your "
                    "name or contact details. Tick this if you do not want that."),
    )
    # The signed key of photos kept from an earlier try (photos.pending).
    pending_photos = forms.CharField(widget=forms.HiddenInput, required=False)
    # Honeypot: hidden from people and screen readers; bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    #: Fields whose unbound rendering depends only on the language and the settings (not
    #: on categories, the page or the visitor): rendered once per process (``form_field``).
    same_for_everyone = frozenset((
        "kind", "message", "photos", "location", "address", "contact_name", "contact_email",
        "contact_phone", "do_not_publish", "pending_photos", "website"))

    def __init__(self, *args, categories=None, **kwargs):
        """``categories``: the active categories, if the caller has them already (default:
        ``category_choices()``)."""
        super().__init__(*args, **kwargs)
        self.accepted_photos = []  # uploads that passed the checks, even if others did not
        # Other authorities' categories are listed too: choosing one shows its contacts.
        self.fields["category"].queryset = FeedbackCategory.objects.active().select_related(
            "parent", "other_authority").order_by("sort_order", "name_fi")
        self.fields["category"].widget.choices = self.fields["category"].grouped_choices(
            self.category_choices() if categories is None else categories)
        min_length = palaute_setting("MESSAGE_MIN_LENGTH")
        max_length = palaute_setting("MESSAGE_MAX_LENGTH")
        message = self.fields["message"]
        message.min_length, message.max_length = min_length, max_length
        message.validators = [
            # (Django's own, which setting the list anew would drop: a NUL byte is no text,
            # and PostgreSQL refuses it.)
            forms.fields.validators.ProhibitNullCharactersValidator(),
            forms.fields.validators.MinLengthValidator(min_length, message=MESSAGE_TOO_SHORT),
            forms.fields.validators.MaxLengthValidator(max_length, message=MESSAGE_TOO_LONG),
        ]
        count_characters(message, max_length)
        message.help_text = _("%(min)s–%(max)s characters.") % {
            "min": min_length, "max": max_length}
        explain_photos(self.fields["photos"])
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"
        self.fields["contact_phone"].widget.attrs.update({"autocomplete": "tel"})

    def category_choices(self):
        """The categories offered (the field's queryset, cached until one changes)."""
        return active_categories()

    @cached_property
    def photo_batch(self):
        """The key of the photos kept from an earlier try, if the form carries a valid one."""
        return pending.unsign_batch(self.data.get("pending_photos")) if self.is_bound else None

    @cached_property
    def kept_photos(self):
        """Photos kept from an earlier try that the resident did not tick for removal."""
        removed = set(self.data.getlist("remove_photo")) if hasattr(self.data, "getlist") else set()
        return [photo for photo in pending.kept_photos(self.photo_batch)
                if str(photo.pk) not in removed]

    def keep_accepted_photos(self):
        """Before the form is shown again: keep the photos that passed, drop removed ones.

        Returns the photos to show; the form's hidden field then carries their key.
        """
        batch = self.photo_batch or pending.new_batch()
        kept_ids = {photo.pk for photo in self.kept_photos}
        pending.delete([photo for photo in pending.kept_photos(self.photo_batch)
                        if photo.pk not in kept_ids])
        room = palaute_setting("MAX_PHOTOS") - len(self.kept_photos)
        accepted = self.accepted_photos[:max(room, 0)]
        pending.keep(batch, accepted)
        kept = pending.kept_photos(batch)  # as their tasks left them (cleaned, or waiting)
        self.data = self.data.copy()
        self.data["pending_photos"] = pending.sign_batch(batch) if kept else ""
        return kept

    def submission(self, language):
        """The valid form as an ``actions.Submission``."""
        data = self.cleaned_data
        return Submission(
            category=data["category"], kind=data["kind"], message=data["message"],
            location=data.get("location"), address=data.get("address", ""),
            contact_name=data["contact_name"], contact_email=data["contact_email"],
            contact_phone=data["contact_phone"], language=language,
            photos=tuple(photo.as_photo() for photo in self.kept_photos)
            + tuple(data.get("photos") or ()),
            publish_consent=not data.get("do_not_publish"))

    @classmethod
    def media_for_page(cls):
        """The scripts and styles of the form (the map, address search), without a form."""
        return cls.base_fields["location"].widget.media + forms.Media(
            js=["palaute_plugin/js/address-search.js"])

    @property
    def honeypot_filled(self):
        return bool(self.data.get("website"))

    def clean_category(self):
        category = self.cleaned_data["category"]
        if any(c.parent_id == category.pk for c in self.fields["category"].categories):
            # A group is a heading of the list, not a topic (only a forged post sends one).
            raise ValidationError(self.fields["category"].error_messages["invalid_choice"],
                                  code="group")
        if category.other_authority_id:
            authority = category.other_authority
            raise ValidationError(
                _("%(category)s is not the city's responsibility. Please contact %(authority)s."),
                code="other_authority",
                params={"category": category.name, "authority": authority.name},
            )
        return category

    def clean_photos(self):
        self.accepted_photos = []

        def check(uploaded):
            photo = inspect_photo(uploaded)
            self.accepted_photos.append(photo)
            return photo

        files = self.cleaned_data.get("photos") or []
        try:
            photos = clean_photo_files(files, check=check)
        except ValidationError:
            if len(self.accepted_photos) == len(files):
                self.accepted_photos = []  # too many together: the resident chooses again
            raise
        if photos:
            try:
                validate_photo_count([*self.kept_photos, *photos])
            except ValidationError:
                self.accepted_photos = []
                raise
            # Kept photos not yet cleaned still cost their pixels (cleaned ones nothing).
            validate_total_pixels([*photos, *(p for p in self.kept_photos
                                              if p.state == p.State.PROCESSING)])
        return photos

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"],
                           _("Enter a phone number, e.g. 040 123 4567."))

    def clean_location(self):
        value = self.cleaned_data["location"].strip()
        if not value:
            typed = self.fields["location"].widget.typed
            category = self.cleaned_data.get("category")
            if not typed or (category is not None and
                             category.location_mode == category.LocationMode.HIDDEN):
                return None  # (a topic that asks no place: its hidden box is not read)
            # Coordinates typed but not (yet) a place: refused, and the box keeps them.
            match = TYPED_POINT_RE.match(typed)
            if not match:
                raise ValidationError(MAP_STRINGS["badCoordinates"], code="bad_coordinates")
            value = f"SRID=4326;POINT({match.group(2)} {match.group(1)})"
        lat, lon = parse_point(value)
        if not within_city_area(lat, lon):
            raise ValidationError(
                _("The place on the map is outside the area this service covers. Move the pin "
                  "or leave the map empty."),
                code="outside_area",
            )
        return lat, lon

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        if category is None:
            return cleaned
        if category.location_mode == category.LocationMode.HIDDEN:
            cleaned["location"], cleaned["address"] = None, ""
        elif (category.location_mode == category.LocationMode.REQUIRED
              and not cleaned.get("location") and not cleaned.get("address")
              and "location" not in self.errors):
            self.add_error("address", ValidationError(
                _("Mark the place on the map or type an address for this topic."),
                code="location_required"))
        elif not cleaned.get("location") and cleaned.get("address") and not self.errors:
            cleaned["location"] = self.locate_address(cleaned["address"])
        if (cleaned.get("photos") or self.kept_photos) and not category.photos_enabled:
            self.add_error("photos", ValidationError(
                _("Photos are not asked for this topic. Remove them to continue."),
                code="photos_disabled"))
        return cleaned

    def locate_address(self, address):
        """The place of a typed address when the geocoder knows exactly one, else ``None``.

        For residents without the map (no JavaScript, or they skipped it).
        """
        found = geocoder().search(address, language=current_language(), limit=2)
        if len(found) != 1 or not within_city_area(found[0].latitude, found[0].longitude):
            return None
        return found[0].latitude, found[0].longitude


def explain_photos(field):
    """The photo field's hint (how many, which formats) and the count its script checks."""
    max_photos = palaute_setting("MAX_PHOTOS")
    field.help_text = ngettext(
        "Up to %(count)s photo: JPEG, PNG, WebP or HEIC. Location data is removed.",
        "Up to %(count)s photos: JPEG, PNG, WebP or HEIC. Location data is removed.",
        max_photos,
    ) % {"count": max_photos}
    field.widget.attrs.update({
        "data-max-photos": str(max_photos),
        "data-too-many": ngettext(
            "You can attach at most %(max)s photo. Remove some photos.",
            "You can attach at most %(max)s photos. Remove some photos.",
            max_photos) % {"max": max_photos}})


class FollowUpForm(forms.Form):
    """The resident adds information to an open case on their status page."""

    # Not required alone: photos without words are information too.
    message = MessageField(
        label=_("What would you like to add?"), max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": MESSAGE_TOO_LONG})
    photos = MultiplePhotoField(
        label=_("Photos (optional)"), required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["message"], self.fields["message"].max_length)
        explain_photos(self.fields["photos"])

    #: Signed once per shown form: a replayed post of it is saved once (``antispam``).
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False,
                                     initial=antispam.issue_follow_up_key)

    def clean_photos(self):
        files = self.cleaned_data.get("photos") or []
        usable = []

        def check(uploaded):
            photo = inspect_photo(uploaded)
            usable.append(uploaded.name)
            return photo

        try:
            return clean_photo_files(files, check=check)
        except ValidationError as error:
            if usable and len(usable) < len(files):
                # A browser cannot keep the chosen files: the good ones are not lost
                # without a word.
                raise ValidationError([*error.messages, _(
                    "Nothing was added yet. Choose again the photos that could be used "
                    "(%(names)s) and send.") % {"names": ", ".join(usable)}]) from error
            raise

    def clean(self):
        cleaned = super().clean()
        if (not cleaned.get("message", "").strip() and not cleaned.get("photos")
                and not self.has_error("message") and not self.has_error("photos")):
            self.add_error("message", ValidationError(
                _("Write what you would like to add, or add a photo."), code="required"))
        if self.errors and cleaned.get("photos") and not self.has_error("photos"):
            self.add_error("photos", ValidationError(
                _("Choose the photos again: a chosen file cannot be kept while the form "
                  "is corrected."), code="choose_again"))
        return cleaned

    def clean_submission_key(self):
        return antispam.read_follow_up_key(self.cleaned_data.get("submission_key"))
