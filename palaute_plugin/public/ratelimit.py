"""How many submissions the public forms accept: per client and for the whole site.

Counted with django-ratelimit on the shared cache (Redis in production), keyed by
``proxies.client_address``. Only valid submissions count (:func:`take`, just before the
case is saved), so typing errors never lock a resident out; :func:`limited` refuses
early, before the form is even checked, once a limit is reached.

A flood across the whole site first alerts staff (at ``SITE_ALERT_COUNT``, once
per period) and only at ``SITE_RATE_LIMIT`` pauses the form for everyone.
"""

import functools
import logging
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django_ratelimit import ALL as ALL_METHODS
from django_ratelimit.core import get_usage

from ..conf import palaute_setting
from ..proxies import client_address

logger = logging.getLogger(__name__)

CLIENT_GROUP = "palaute:accepted-by-client"
SITE_GROUP = "palaute:accepted-site-wide"
SUGGEST_GROUP = "palaute:address-lookups-by-client"
METOO_CLIENT_GROUP = "palaute:metoo-by-client"
METOO_EMAIL_GROUP = "palaute:metoo-emails-by-address"


def _client_key(group, request):
    return client_address(request)


def _site_key(group, request):
    return "site"


def _usage(request, group, key, rate, increment):
    usage = get_usage(request, group=group, key=key, rate=rate, method=["POST"],
                      increment=increment)
    if usage is not None and usage["time_left"] < 0:
        # The cache could not count: accept feedback rather than turn everyone away.
        logger.error("Rate limit %s could not be counted (cache unavailable).", group)
        return None
    return usage


def _full(usage):
    return usage is not None and usage["count"] >= usage["limit"]


def client_limited(request):
    """Whether this client has sent as many as allowed in the current period."""
    return _waits(request, _full, _usage(request, CLIENT_GROUP, _client_key,
                                         palaute_setting("RATE_LIMIT"), increment=False))


def site_paused(request):
    """Whether the whole site has taken all it takes in the current period (a flood)."""
    return _waits(request, _full, _usage(request, SITE_GROUP, _site_key,
                                         palaute_setting("SITE_RATE_LIMIT"), increment=False))


def limited(request):
    return client_limited(request) or site_paused(request)


def suggestions_limited(request):
    """Count one address lookup (``public/places.py``); ``True`` when over the client's limit.

    Lookups reach the geocoder, possibly an outside service: a client typing is
    well under ``SUGGEST_RATE_LIMIT``, a script walking the map is not.
    """
    usage = get_usage(request, group=SUGGEST_GROUP, key=_client_key,
                      rate=palaute_setting("SUGGEST_RATE_LIMIT"), method=ALL_METHODS,
                      increment=True)
    return usage is not None and usage["time_left"] >= 0 and _waits(request, _over, usage)


def take(request):
    """Count a valid submission; ``False`` when it is over the client's or the site's limit.

    Counting before saving (not checking, then counting after) means concurrent posts
    cannot all slip under the limit. A client over its own limit is not counted
    site-wide, so one attacker cannot pause the form for everyone.
    """
    client = _usage(request, CLIENT_GROUP, _client_key, palaute_setting("RATE_LIMIT"),
                    increment=True)
    if _waits(request, _over, client):
        return False
    site = _usage(request, SITE_GROUP, _site_key, palaute_setting("SITE_RATE_LIMIT"),
                  increment=True)
    if site is not None and site["count"] >= palaute_setting("SITE_ALERT_COUNT"):
        _alert_once(site)
    return not _waits(request, _over, site)


def take_metoo(request):
    """Count a valid "me too" post of this client; ``False`` over ``METOO_RATE_LIMIT``."""
    return not _waits(request, _over, _usage(request, METOO_CLIENT_GROUP, _client_key,
                                             palaute_setting("METOO_RATE_LIMIT"),
                                             increment=True))


def address_digest(email):
    """An address as the cache's keys hold it: keyed, so the keys name nobody."""
    return salted_hmac("palaute_plugin.metoo.address", email.strip().lower()).hexdigest()


def take_metoo_email(request, publication, email):
    """Whether a "me too" confirmation may be emailed to ``email`` now.

    At most one per case and address while a link works
    (``METOO_CONFIRM_MAX_AGE_SECONDS``: the earlier link still does), and
    ``METOO_EMAIL_RATE_LIMIT`` to one address over all cases, so the form cannot be
    used to flood someone's mailbox. The cache failing lets the email go (as the
    forms' limits do).
    """
    digest = address_digest(email)
    marker = f"palaute:metoo-sent:{publication.pk}:{digest}"
    if cache.add(marker, 1, timeout=palaute_setting("METOO_CONFIRM_MAX_AGE_SECONDS")) is False:
        return False
    usage = _usage(request, METOO_EMAIL_GROUP, lambda group, req: digest,
                   palaute_setting("METOO_EMAIL_RATE_LIMIT"), increment=True)
    if _over(usage):
        cache.delete(marker)  # not sent: a later post, under the limit, may send it
        return False
    return True


def _over(usage):
    return usage is not None and usage["count"] > usage["limit"]


def _waits(request, reached, usage):
    """``reached(usage)``; when it is, the request remembers how long the client must
    wait (the period's time left), for the answer's ``Retry-After``."""
    if not reached(usage):
        return False
    request.palaute_retry_after = max(getattr(request, "palaute_retry_after", 0),
                                      usage["time_left"])
    return True


def with_retry_after(view):
    """A view's 429 answer says when to try again (``Retry-After``, in seconds): the
    time left in the period of the limit that was reached."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(max(1, getattr(request, "palaute_retry_after", 60)))
        return response

    return wrapped


def _alert_once(usage):
    # One alert per period: the first process to add the key sends it.
    period_end = int(time.time()) + usage["time_left"]
    if not cache.add(f"palaute:flood-alert:{period_end}", 1, timeout=usage["time_left"] + 60):
        return
    from ..notifications import notify_flood

    logger.warning("Feedback flood: %s accepted submissions this period.", usage["count"])
    notify_flood(alert_recipients(), count=usage["count"],
                 limit=palaute_setting("SITE_RATE_LIMIT"))


def alert_recipients():
    configured = list(palaute_setting("ALERT_EMAILS"))
    if configured:
        return configured
    admins = get_user_model().objects.filter(
        is_active=True, groups__name=palaute_setting("ADMIN_GROUP_NAME")).exclude(email="")
    return sorted(set(admins.values_list("email", flat=True)))
