"""API error answers beyond DRF's own: an outage (database, rate-limit store) is a 503 to
retry after `Retry-After`, not a 500."""

import logging

from django.db import InterfaceError, OperationalError
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again shortly."
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
