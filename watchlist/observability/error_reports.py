"""Unhandled errors to Sentry (SENTRY_DSN), tagged with the request id, without personal data.

sentry-sdk's Django integration reports what ends in a 500. It sends no user, cookie,
client address or local variable; its scrubber blanks known secret fields; and
`without_personal_data` keeps only harmless request headers and drops the body, so that a
token or a cookie never leaves the process.
"""

from watchlist.observability.logs import ACCESS_LOGGER
from watchlist.observability.request_context import current

# The request headers an error report keeps (lower case); any other is dropped.
REPORTED_HEADERS = frozenset(
    {"accept", "content-length", "content-type", "host", "user-agent", "x-request-id"}
)


def start_error_reports(dsn, release, environment):
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import ignore_logger

    sentry_sdk.init(
        dsn=dsn,
        release=release,
        environment=environment,
        # Errors only: no performance tracing, and none of its per-request spans.
        integrations=[DjangoIntegration(signals_spans=False, middleware_spans=False)],
        auto_enabling_integrations=False,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=without_personal_data,
    )
    # A breadcrumb a request would repeat what the report already says.
    ignore_logger(ACCESS_LOGGER)


def without_personal_data(event, hint):
    """Sentry's `before_send`: the request id as a tag, and only harmless request headers."""
    context = current.get()
    if context is not None:
        event.setdefault("tags", {})["request_id"] = context.request_id
    request = event.get("request")
    if request:
        request.pop("cookies", None)
        request.pop("data", None)
        request.pop("env", None)
        headers = request.get("headers") or {}
        request["headers"] = {
            name: value for name, value in headers.items() if name.lower() in REPORTED_HEADERS
        }
    return event
