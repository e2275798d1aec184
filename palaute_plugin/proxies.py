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

import ipaddress

from .conf import palaute_setting

#: An IPv6 client is known by its network of this size: a subscriber's line or a cloud
#: machine gets a whole /64, and counting each of its 2**64 addresses apart would give it
#: as many tries at the rate limits and the login lockout.
IPV6_CLIENT_PREFIX = 64


def client_address(request):
    """The client's address (an IPv6 one as the first address of its /64)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = palaute_setting("TRUSTED_PROXY_COUNT")
    if proxies <= 0:
        return as_client(remote)
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        # Fewer entries than proxies: the request did not come through all of them.
        return as_client(remote)
    return as_client(hops[-proxies])


def as_client(address):
    """IPv4 as it is (also when written IPv4-mapped), IPv6 as its /64's first address;
    anything else (a proxy's odd entry) as it was written."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        network = ipaddress.ip_network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False)
        return str(network.network_address)
    return str(parsed)
