"""Abuse limits, counted in the shared cache so that every worker and instance agrees."""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class WriteRateThrottle(UserRateThrottle):
    """Writes per user (per client address when anonymous); reads are not counted here."""

    scope = "writes"

    def allow_request(self, request, view):
        return request.method in SAFE_METHODS or super().allow_request(request, view)


class ReadRateThrottle(UserRateThrottle):
    """Reads per user or address: off unless DJANGO_THROTTLE_READS sets a rate."""

    scope = "reads"

    def allow_request(self, request, view):
        return request.method not in SAFE_METHODS or super().allow_request(request, view)


class TokenRateThrottle(AnonRateThrottle):
    """Password guesses at the token endpoint, per client address."""

    scope = "token"
