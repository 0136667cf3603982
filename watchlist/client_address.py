"""The client's address: one rule for the rate limits, the sign-in lockout and the logs."""

import ipaddress

from rest_framework.throttling import BaseThrottle

identify = BaseThrottle().get_ident


class ForwardingHeaders:
    """What DRF's `get_ident` reads of a request, without Django's `request.headers`, which
    copies every header (a tenth of an early answer's cost) for the one it needs."""

    __slots__ = ("META", "headers")

    def __init__(self, meta):
        self.META = meta
        forwarded = meta.get("HTTP_X_FORWARDED_FOR")
        self.headers = {} if forwarded is None else {"x-forwarded-for": forwarded}


def client_address(request):
    """The address DRF's throttles identify a client by (NUM_PROXIES, from
    DJANGO_NUM_PROXIES: the Nth-from-last X-Forwarded-For entry behind N proxies, else the
    connection's own), or the connection's address when that entry is not an IP address
    (only a misconfigured proxy count lets one through)."""
    if "HTTP_X_FORWARDED_FOR" not in request.META:
        return request.META.get("REMOTE_ADDR")  # the connection's own: the server's to say
    address = identify(ForwardingHeaders(request.META))
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR")
