"""The client's address when the site runs behind reverse proxies.

Each proxy that follows the usual convention (nginx ``$proxy_add_x_forwarded_for``,
HAProxy ``option forwardfor``, cloud load balancers) appends the address it received
the request from to ``X-Forwarded-For``. With ``PALAUTE_TRUSTED_PROXY_COUNT = N``
proxies of our own in front, the N-th address from the right is the one our
outermost proxy saw: the client. Anything left of it was written by the client
and is ignored, so a spoofed header cannot choose the address. With 0 (no
proxy), ``REMOTE_ADDR`` is the client.

The rate limits, the circuit breaker and the admin login lockout (django-axes,
``AXES_CLIENT_IP_CALLABLE``) all use this one rule. (python-ipware was considered:
it picks the left-most public address and skips private ones, which is neither the
append convention nor safe against a spoofed header.)
"""

from .conf import palaute_setting


def client_address(request):
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = palaute_setting("TRUSTED_PROXY_COUNT")
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    return hops[-proxies]
