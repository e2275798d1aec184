"""Anti-spam without third parties: a honeypot, a signed time token, replay binding.

The rate limits are in ``ratelimit.py``.
"""

import secrets
import time

from django.core import signing
from django.core.cache import cache

from ..conf import palaute_setting

TOKEN_SALT = "palaute_plugin.form_token"  # noqa: S105 (a salt, not a secret)
SENT_COOKIE = "palaute_sent"
SENT_SALT = "palaute_plugin.sent"
SENT_REMEMBERED = 10


class TokenError(Exception):
    """The form token is missing, forged, too fresh or expired (see ``reason``)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "invalid", "too_fast" or "expired"


def issue_form_token():
    """A signed token carrying a random nonce and the time the form was shown."""
    return signing.dumps({"n": secrets.token_hex(16), "t": int(time.time())}, salt=TOKEN_SALT)


def reissue_form_token(token, now=None):
    """A token with a new nonce for the form shown again after an error, keeping the time
    the form was first shown (the resident has spent it; a tap on Send right after the
    error page was "sent too fast"), unless the token is forged or expired."""
    try:
        issued = int(signing.loads(token or "", salt=TOKEN_SALT)["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return issue_form_token()
    if (now or time.time()) - issued > palaute_setting("FORM_MAX_AGE_SECONDS"):
        return issue_form_token()
    return signing.dumps({"n": secrets.token_hex(16), "t": issued}, salt=TOKEN_SALT)


def check_form_token(token, now=None, min_seconds=None):
    """Return the token's nonce, or raise ``TokenError``.

    ``min_seconds``: a shorter wait than ``PALAUTE_MIN_SUBMIT_SECONDS`` for a form a
    person fills in at once (the me-too form's one email field, filled by the browser).
    """
    try:
        payload = signing.loads(token or "", salt=TOKEN_SALT)
        nonce, issued = str(payload["n"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise TokenError("invalid") from error
    age = (now or time.time()) - issued
    least = palaute_setting("MIN_SUBMIT_SECONDS")
    if age < (least if min_seconds is None else min(least, min_seconds)):
        raise TokenError("too_fast")
    if age > palaute_setting("FORM_MAX_AGE_SECONDS"):
        raise TokenError("expired")
    return nonce


#: The follow-up form's key: a repeated post of the same form adds its text once.
FOLLOW_UP_SALT = "palaute_plugin.follow_up"


def issue_follow_up_key():
    return signing.dumps(secrets.token_hex(16), salt=FOLLOW_UP_SALT)


def read_follow_up_key(value):
    """The nonce of a follow-up form's key, or ``""`` if it is missing, forged or too old
    (the text is saved then all the same, only without the replay check)."""
    try:
        return str(signing.loads(value or "", salt=FOLLOW_UP_SALT,
                                 max_age=palaute_setting("FORM_MAX_AGE_SECONDS")))
    except signing.BadSignature:
        return ""


def issue_decoy_token():
    """A receipt address for a bot that filled the honeypot: it looks like a real one."""
    token = secrets.token_urlsafe(32)
    cache.set(f"palaute:decoy:{token}", 1, timeout=palaute_setting("FORM_MAX_AGE_SECONDS"))
    return token


def is_decoy_token(token):
    return bool(cache.get(f"palaute:decoy:{token}"))


def _sent_entries(request):
    """The cookie's ``nonce`` or ``nonce.digest`` entries, oldest first."""
    try:
        value = request.get_signed_cookie(SENT_COOKIE, salt=SENT_SALT,
                                          max_age=palaute_setting("FORM_MAX_AGE_SECONDS"))
    except (KeyError, signing.BadSignature):
        return []
    return [entry for entry in value.split(",") if entry]


def _sent_nonces(request):
    return [entry.partition(".")[0] for entry in _sent_entries(request)]


def sent_digests(request):
    """``{nonce: digest}`` of the forms this browser sent lately (``remember_sent``)."""
    return {nonce: digest for nonce, _dot, digest
            in (entry.partition(".") for entry in _sent_entries(request))}


def sent_by_this_browser(request, nonce):
    """Whether this browser sent the form with this token (so may see its receipt again)."""
    return bool(nonce) and nonce in _sent_nonces(request)


def remember_sent(request, response, nonce, digest=""):
    """Bind a sent form token to this browser, so that only it gets the receipt on a replay;
    with ``digest`` (a keyed digest of what was sent: ``public.views.post_digest``), the
    same post sent again with a new token is known without asking the database."""
    if not nonce:
        return
    entries = [entry for entry in _sent_entries(request)
               if entry.partition(".")[0] != nonce][-(SENT_REMEMBERED - 1):]
    entry = f"{nonce}.{digest}" if digest else nonce
    response.set_signed_cookie(
        SENT_COOKIE, ",".join([*entries, entry]), salt=SENT_SALT,
        max_age=palaute_setting("FORM_MAX_AGE_SECONDS"), secure=request.is_secure(),
        httponly=True, samesite="Lax")
