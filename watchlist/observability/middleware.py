"""Request ids, the access line and the request metrics; and the `/metrics` endpoint.

`RequestObservabilityMiddleware` sits above `movies.early_reads.EarlyReadMiddleware`, so the
early anonymous answers and those of the full stack share it (the early path sets
`request.resolver_match`, as Django's URL resolution does). `AuthenticationMiddleware`, in
Django's place, notes the session's user for the access line. `MetricsEndpointMiddleware` sits
beside the health probes, before host validation and the HTTPS redirect: Prometheus scrapes
each instance by its address over the cluster network. Scrapes are neither logged nor
counted, like the probes.
"""

import hmac
from functools import partial
from time import perf_counter

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import middleware as auth_middleware
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse, JsonResponse
from django.utils.encoding import escape_uri_path
from django.utils.functional import SimpleLazyObject

from watchlist.client_address import client_address
from watchlist.observability import metrics
from watchlist.observability.logs import AccessLog
from watchlist.observability.request_context import RequestContext, current, request_id_for

REQUEST_ID_HEADER = "X-Request-ID"
METRICS_PATHS = {"/metrics", "/metrics/"}
# Longer paths are cut in the access line: it stays one write, whole, in a pipe (4 KiB).
LOGGED_PATH_LENGTH = 1024


class RequestObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.metrics = metrics.HttpMetrics() if settings.METRICS_TOKEN else None
        access_log = AccessLog(settings.LOG_FORMAT)
        self.access_log = access_log if settings.ACCESS_LOG and access_log.enabled else None

    def __call__(self, request):
        started = perf_counter()
        context = RequestContext(request_id_for(request.META.get("HTTP_X_REQUEST_ID")))
        # Until the response is closed (request_context.forget_request): Django logs a 4xx
        # or 5xx answer after the middleware has returned it.
        current.set(context)
        response = self.get_response(request)
        if self.metrics is not None or self.access_log is not None:
            self.record(request, response, perf_counter() - started, context)
        response[REQUEST_ID_HEADER] = context.request_id
        return response

    def record(self, request, response, seconds, context):
        match = request.resolver_match
        route = metrics.UNMATCHED if match is None else match.view_name
        if self.metrics is not None:
            self.metrics.observe(
                request.method, route, response.status_code, seconds, context.queries
            )
        if self.access_log is not None:
            log_access(self.access_log, request, response, route, seconds, context)


def log_access(access_log, request, response, route, seconds, context):
    path = request.path
    if len(path) > LOGGED_PATH_LENGTH:
        path = path[:LOGGED_PATH_LENGTH] + "..."
    if not path.isprintable():  # a decoded %0A must not start a new line in a text log
        path = escape_uri_path(path)
    method, status, milliseconds = request.method, response.status_code, seconds * 1000
    fields = {
        "request_id": context.request_id,
        "method": method,
        "path": path,
        "route": route,
        "status": status,
        "duration_ms": round(milliseconds, 3),
        "db_queries": context.queries,
        "client": client_address(request),
    }
    user_id = signed_in_user_id(request, context)
    if user_id is not None:
        fields["user_id"] = user_id
    access_log.write(f"{method} {path} {status} {milliseconds:.1f}ms", fields)


def signed_in_user_id(request, context):
    """The signed-in user's id, without a query of its own: authentication has run (DRF
    sets `request.user`), or the session user was looked up for the view (and noted in the
    request's context by AuthenticationMiddleware); else None."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject):  # the session's user, maybe never looked up
        user = context.session_user
    if user is not None and user.is_authenticated:
        return user.pk
    return None


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, noting the session's user in the request's context when the view first
    asks for it, so that the access line names the user without a query of its own."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(partial(session_user, request))


def session_user(request):
    """The session's user (Django's `get_user`), noted in the request's context."""
    user = auth.get_user(request)
    context = current.get()
    if context is not None:
        context.session_user = user
    return user


class MetricsEndpointMiddleware:
    """`GET /metrics` for Prometheus, with `Authorization: Bearer <DJANGO_METRICS_TOKEN>`;
    without that token set, there is no such route (and nothing is counted)."""

    def __init__(self, get_response):
        if not settings.METRICS_TOKEN:
            raise MiddlewareNotUsed("DJANGO_METRICS_TOKEN is not set: no /metrics")
        self.get_response = get_response
        self.credentials = f"Bearer {settings.METRICS_TOKEN}".encode()
        metrics.record_app_info(settings.APP_VERSION)

    def __call__(self, request):
        if request.path not in METRICS_PATHS:
            return self.get_response(request)
        if request.method != "GET":
            response = JsonResponse(
                {"detail": f'Method "{request.method}" not allowed.'}, status=405
            )
            response["Allow"] = "GET"
            return response
        sent = request.META.get("HTTP_AUTHORIZATION", "").encode()
        if not hmac.compare_digest(sent, self.credentials):
            response = JsonResponse(
                {"detail": "Authentication credentials were not provided or are wrong."},
                status=401,
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        body, content_type = metrics.exposition(request.META.get("HTTP_ACCEPT"))
        response = HttpResponse(body, content_type=content_type)
        response["Cache-Control"] = "no-store"
        return response
