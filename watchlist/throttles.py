"""Abuse limits, counted in the shared cache so that every worker and instance agrees.

DRF's own throttles keep a list of every request's time in the window and write it back
whole: the cost grows with the rate, and two workers reading the list at once both let a
request through. These count in fixed windows instead (django-ratelimit's counters): a
request adds its client's counter for the window if it is new (`cache.add`), else
increments it (`cache.incr`). In Redis that is `SET NX`, or Django's `EXISTS` then `INCRBY`
(one to three round trips, each atomic); in diskcache, transactions. Either way, whatever
the rate, a limit of N lets exactly N through in each window across all workers and
instances (up to 2N across a window's end and the next one's start). (The database cache,
used with PostgreSQL and no Redis, increments by reading and writing: concurrent requests of
one client may pass a few over.)
"""

import logging

from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from watchlist.client_address import client_address
from watchlist.observability.metrics import THROTTLED

logger = logging.getLogger(__name__)


class LimitStoreUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The rate-limit store is unavailable; try again shortly.")
    default_code = "limit_store_unavailable"


class CountingThrottle(BaseThrottle):
    """At most the `scope` rate (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, "120/min") of
    counted requests per user, or per client address when anonymous."""

    scope = None
    THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    @classmethod
    def counts(cls, method):
        """Whether requests of this method are of the kind it limits."""
        return True

    @classmethod
    def limits(cls, method):
        """Whether requests of this method are counted: a rate is set and they are of its
        kind. The method is all it depends on (the early reads rely on it)."""
        return bool(cls.THROTTLE_RATES.get(cls.scope)) and cls.counts(method)

    def allow_request(self, request, view):
        if not self.limits(request.method):
            return True
        rate = self.THROTTLE_RATES[self.scope]
        try:
            usage = get_usage(
                request, group=self.scope, key=self.client, rate=rate, increment=True
            )
        except Exception as error:  # the cache's own errors: redis-py's, OSError...
            logger.warning("Rate-limit store unavailable: %r", error)
            raise LimitStoreUnavailable() from error
        self.seconds_left = usage["time_left"]
        if usage["should_limit"]:
            THROTTLED.labels(self.scope).inc()
            return False
        return True

    def client(self, group, request):
        user = request.user
        if user and user.is_authenticated:
            return f"user:{user.pk}"
        return f"address:{client_address(request)}"

    def wait(self):
        return max(self.seconds_left, 1)


class WriteRateThrottle(CountingThrottle):
    """Writes per user; reads are not counted here. (Anonymous writes never get here: the
    permissions refuse them, 401, before any throttle runs.)"""

    scope = "writes"

    @classmethod
    def counts(cls, method):
        return method not in SAFE_METHODS


class ReadRateThrottle(CountingThrottle):
    """Reads per user or address: off unless DJANGO_THROTTLE_READS sets a rate."""

    scope = "reads"

    @classmethod
    def counts(cls, method):
        return method in SAFE_METHODS


class TokenRateThrottle(CountingThrottle):
    """Password guesses at the token endpoint, per client address."""

    scope = "token"

    def client(self, group, request):
        return f"address:{client_address(request)}"
