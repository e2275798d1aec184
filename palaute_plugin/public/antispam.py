"""Anti-spam without third parties: a honeypot, a signed time token, a rate limit."""

import secrets
import time

from django.core import signing
from django.core.cache import cache

from ..conf import palaute_setting

TOKEN_SALT = "palaute_plugin.form_token"  # noqa: S105 (a salt, not a secret)


class TokenError(Exception):
    """The form token is missing, forged, too fresh or expired (see ``reason``)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "invalid", "too_fast" or "expired"


def issue_form_token():
    """A signed token carrying a random nonce and the time the form was shown."""
    return signing.dumps({"n": secrets.token_hex(16), "t": int(time.time())}, salt=TOKEN_SALT)


def check_form_token(token, now=None):
    """Return the token's nonce, or raise ``TokenError``."""
    try:
        payload = signing.loads(token or "", salt=TOKEN_SALT)
        nonce, issued = str(payload["n"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise TokenError("invalid") from error
    age = (now or time.time()) - issued
    if age < palaute_setting("MIN_SUBMIT_SECONDS"):
        raise TokenError("too_fast")
    if age > palaute_setting("FORM_MAX_AGE_SECONDS"):
        raise TokenError("expired")
    return nonce


def client_address(request):
    if palaute_setting("TRUST_X_FORWARDED_FOR"):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The last address is the one our own proxy added; earlier ones are the client's word.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def rate_limit_exceeded(request):
    """Count this post against the client's window; True when over the limit."""
    window = palaute_setting("RATE_LIMIT_WINDOW_SECONDS")
    bucket = int(time.time() // window)
    key = f"palaute:rate:{client_address(request)}:{bucket}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > palaute_setting("RATE_LIMIT_COUNT")
