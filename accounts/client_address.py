"""The client's address, one rule for every limit: the throttles and the sign-in lockout."""

import ipaddress

from rest_framework.throttling import BaseThrottle


def client_address(request):
    """The address DRF's throttles count by (NUM_PROXIES: the Nth-from-last X-Forwarded-For
    entry behind N proxies, else the connection's own), or the connection's address when
    that entry is not an IP address (only a misconfigured proxy count lets one through)."""
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR")
