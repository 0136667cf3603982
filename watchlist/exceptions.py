"""Error answers beyond Django's and DRF's own: an outage (database, rate-limit store) is a
503 to retry after `Retry-After`, not a 500, on the API's views and on every other page."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler

from watchlist.views import is_api

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The database is unavailable; try again shortly.")
    default_code = "database_unavailable"


def api_exception_handler(exc, context):
    if isinstance(exc, OperationalError | InterfaceError):
        # A restart or failover of the database: the connection is dropped and the next
        # request reconnects (CONN_HEALTH_CHECKS), so the client should simply retry.
        logger.warning("Database unavailable: %s", exc)
        exc = DatabaseUnavailable()
    response = exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """The same 503 for a database outage met by a view outside DRF: a sign-in (the admin's,
    the browsable API's), an admin page. JSON under the API's root, plain text elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable: %s", exception)
        detail = str(DatabaseUnavailable.default_detail)
        if is_api(request):
            response = JsonResponse({"detail": detail}, status=503)
        else:
            response = HttpResponse(f"{detail}\n", status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
