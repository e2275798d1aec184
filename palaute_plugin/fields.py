"""Form fields shared by the resident's forms and the staff's: photos and phone numbers."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .photos.images import inspect_photo, validate_photo_count, validate_total_pixels

PHONE_RE = re.compile(r"^\+?[\d\s().-]{5,30}$")
PHOTO_ACCEPT = (
    "image/jpeg,image/png,image/webp,image/heic,image/heif,.jpg,.jpeg,.png,.webp,.heic,.heif"
)


class OneLineField(forms.CharField):
    """Text of one line (a name, an address): line breaks, tabs and other control characters
    become single spaces. A name with a line break wrote a line of its own into the staff's
    email ("Nimi: Evil" over a forged "Sähköposti: …"; security review 2026-12-03)."""

    def to_python(self, value):
        value = super().to_python(value)
        return " ".join(CONTROL_RE.sub(" ", value).split()) if value else value


#: Control characters (C0, DEL, C1) and the line and paragraph separators; not NUL, which
#: Django's validator refuses with its own message.
CONTROL_RE = re.compile(r"[\x01-\x1f\x7f-\x9f\u2028\u2029]")


class TelInput(forms.TextInput):
    """A phone number field: phones show the numeric keypad."""

    input_type = "tel"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos; each is checked on its own (``clean_photo_files``), so that an
    empty file is named among the others' errors and the good ones are kept (Django's
    check of an empty file would refuse them all with one nameless message)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f] if isinstance(data, list | tuple) else (
            [data] if data else [])
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


def clean_photo_files(files, check=None):
    """Check the count, then each photo's bytes, format and pixels, then their total pixels.

    Every photo's error is reported. ``check`` handles one upload (``photos.inspect_photo``
    unless given): with the quick check the photos are cleaned (decoded, re-encoded) by a
    task after the case is saved.
    """
    check = check or inspect_photo
    files = files or []
    if not files:
        return []
    validate_photo_count(files)
    cleaned, errors = [], []
    for uploaded in files:
        try:
            cleaned.append(check(uploaded))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    validate_total_pixels(cleaned)
    return cleaned


def clean_phone(value, message):
    """The phone number stripped, or ``message`` as an ``invalid_phone`` error."""
    phone = value.strip()
    if phone and not PHONE_RE.match(phone):
        raise ValidationError(message, code="invalid_phone")
    return phone


class MessageField(forms.CharField):
    """Text from a textarea, its length counted as the resident sees it: a browser sends
    each line break as two characters (CR LF) but counts it, and shows it, as one."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


def count_characters(field, max_length):
    """Have ``character-count.js`` tell how many characters are left (or too many) as the
    resident types, instead of the ``maxlength`` attribute, which cuts a pasted text short
    without a word. Past the limit the server refuses the text and keeps it to shorten."""
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs.update({
        "data-maxlength": str(max_length),
        "data-count-left-one": _("You can write %(n)s more character."),
        "data-count-left-many": _("You can write %(n)s more characters."),
        "data-count-over-one": _("The text is %(n)s character too long."),
        "data-count-over-many": _("The text is %(n)s characters too long."),
    })
