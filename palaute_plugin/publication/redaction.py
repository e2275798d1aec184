"""Removing personal data from a text before a moderator sees it.

``redact(text, language, names=())`` replaces email addresses, phone numbers,
Finnish personal identity codes (HETU, also with a wrong check character), vehicle registration
plates and the given names with a marker in the text's language. The marker is
what ``highlight`` wraps in ``<mark>`` for the moderator, and ``sensitive_findings``
tells what still looks like an email address or HETU before approval.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

MARKERS = {"fi": "[poistettu]", "sv": "[borttaget]", "en": "[removed]"}

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Finnish numbers: +358 or 0 prefix, at least 7 digits with spaces or dashes.
PHONE_RE = re.compile(r"(?<![\w+])(?:\+358|00358|0)[\s-]?\d{1,3}(?:[\s-]?\d){5,9}(?!\d)")
HETU_RE = re.compile(r"\b(\d{6})([-+A-FU-Y])(\d{3})([0-9A-FHJ-NPR-Y])\b", re.I)
HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Finnish plates: ABC-123, AB-1, ABC 12; also with a space.
PLATE_RE = re.compile(r"\b[A-ZÅÄÖ]{2,3}[\s-]\d{1,3}\b")


def marker(language):
    return MARKERS.get((language or "fi")[:2], MARKERS["fi"])


def is_valid_hetu(code):
    """Whether ``code`` is a personal identity code with a correct check character."""
    match = HETU_RE.fullmatch(code.strip())
    if not match:
        return False
    birth, _century, individual, check = match.groups()
    return HETU_CHECK_CHARS[int(birth + individual) % 31] == check.upper()


def looks_like_hetu(code):
    """A personal identity code's shape with a date that exists (day and month), whatever
    its check character: a code mistyped by one character still names the person."""
    match = HETU_RE.fullmatch(code.strip())
    if not match:
        return False
    day, month = int(match.group(1)[:2]), int(match.group(1)[2:4])
    return 1 <= day <= 31 and 1 <= month <= 12


def _replace_hetus(text, replacement):
    # Before the phone numbers: a code starting with 0 would otherwise lose its digits
    # to the phone pattern and keep its check character ("[poistettu]A").
    return HETU_RE.sub(
        lambda m: replacement if looks_like_hetu(m.group(0)) else m.group(0), text)


def _name_patterns(names):
    for name in names:
        for part in {name.strip(), *name.split()}:
            if len(part) >= 3:
                yield re.compile(r"(?<!\w)" + re.escape(part) + r"(?!\w)", re.I)


def redact(text, language="fi", names=()):
    """The text with personal data replaced by the language's marker."""
    replacement = marker(language)
    text = EMAIL_RE.sub(replacement, text or "")
    text = _replace_hetus(text, replacement)
    text = PHONE_RE.sub(replacement, text)
    text = PLATE_RE.sub(replacement, text)
    # Longest first, so that "Maija Meikäläinen" goes before "Maija".
    for pattern in sorted(_name_patterns(names), key=lambda p: -len(p.pattern)):
        text = pattern.sub(replacement, text)
    return text


def highlight(text):
    """HTML of the text with every redaction marker in ``<mark>``."""
    html = escape(text or "")
    for value in MARKERS.values():
        html = html.replace(value, f"<mark>{value}</mark>")
    return mark_safe(html)  # noqa: S308 (the text is escaped above)


def sensitive_findings(text):
    """What in the text still looks like an email address or a personal identity code."""
    findings = EMAIL_RE.findall(text or "")
    findings += [m.group(0) for m in HETU_RE.finditer(text or "")
                 if looks_like_hetu(m.group(0))]
    return findings
