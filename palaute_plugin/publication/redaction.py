"""Removing personal data from a text before a moderator sees it.

``redact(text, language, names=())`` replaces email addresses, phone numbers, Finnish
personal identity codes (HETU, also with a wrong check character), vehicle registration
plates, homes' addresses (with a staircase and a flat) and the given names with a marker in
the text's language. The marker is what ``highlight`` wraps in ``<mark>`` for the moderator,
and ``sensitive_findings`` tells what still looks personal before approval.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

MARKERS = {"fi": "[poistettu]", "sv": "[borttaget]", "en": "[removed]"}

# "at" and "dot" written out to fool harvesters ("maija (at) example.com", "x [at] y piste
# fi"), and dots set apart ("x@gmail . com"; not ". Hetu" after an address at a sentence end).
_AT = r"(?:\s*@\s*|\s*[(\[{]\s*(?:at|ät|a|miukumauku|kissanhäntä)\s*[)\]}]\s*)"
_DOT = r"(?:\.|\s+\.\s+|\s*[(\[{]\s*(?:dot|piste|punkt)\s*[)\]}]\s*|\s+(?:dot|piste|punkt)\s+)"
EMAIL_RE = re.compile(r"[\w.+-]+" + _AT + r"[\w-]+(?:" + _DOT + r"[\w-]+)+", re.UNICODE | re.I)
# Phone numbers:
# - Finnish: a 0 prefix, at least 7 digits with spaces or dashes ("040 123 4567");
# - international: + or 00 and a country code, an optional "(0)" ("+46 70 123 45 67",
#   "+358 (0)40 123 4567");
# - an area code in brackets ("(040) 765 4321");
# - dots between the groups ("040.123.4567"; a date such as 01.12.2026 has no 3-digit group).
PHONE_RE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)[1-9]\d{0,2}[\s-]?(?:\(0\)[\s-]?)?\d{1,4}(?:[\s-]?\d){4,9}"
    r"|0[\s-]?\d{1,3}(?:[\s-]?\d){5,9}"
    r"|\(0\d{1,3}\)[\s-]?\d(?:[\s-]?\d){4,8}"
    r"|0\d{1,3}\.\d{3}\.\d{3,4}"
    r")(?!\d)")
HETU_RE = re.compile(r"\b(\d{6})([-+A-FU-Y])(\d{3})([0-9A-FHJ-NPR-Y])\b", re.I)
HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Finnish plates: ABC-123, AB-1, ABC 12; written together only with three letters and three
# digits ("ABC123"): "VT21" and "KT4" are roads.
PLATE_RE = re.compile(r"\b(?:[A-ZÅÄÖ]{2,3}[\s-]\d{1,3}|[A-ZÅÄÖ]{3}\d{3})\b")


# A home: a street address with a staircase and a flat ("Koulukatu 5 B 12", "Storgatan
# 3 A 5", "Rantatie 4 as. 2"); a street and a number alone ("Hallituskatu 12") is the place
# the feedback is about and stays.
HOME_RE = re.compile(
    r"\b[A-ZÅÄÖ][\wåäö-]*(?:katu|tie|kuja|polku|väylä|raitti|ranta|kaari|rinne|gatan|vägen"
    r"|gränd|stigen|väg|gata)\s+\d+\s*(?:[A-Za-zÅÄÖ]\s*\d+|(?:as|lh|bst)\.?\s*\d+)\b")


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
    text = HOME_RE.sub(replacement, text)
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
    """What in the text still looks like an email address, a personal identity code, a phone
    number or a home's address."""
    text = text or ""
    findings = [m.group(0) for m in EMAIL_RE.finditer(text)]
    hetus = [m for m in HETU_RE.finditer(text) if looks_like_hetu(m.group(0))]
    findings += [m.group(0) for m in hetus]
    # A personal identity code starting with 0 is not a phone number as well.
    without_hetus = HETU_RE.sub(lambda m: " " * len(m.group(0)), text)
    findings += [m.group(0) for m in PHONE_RE.finditer(without_hetus)]
    findings += [m.group(0) for m in HOME_RE.finditer(text)]
    return findings
