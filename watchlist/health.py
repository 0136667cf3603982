"""Liveness (`/healthz`) and readiness (`/readyz`) probes.

They are answered by the first middleware, before host validation, the HTTPS redirect and
sessions: container platforms probe over plain HTTP with the container's IP as the host.
"""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

LIVENESS_PATHS = {"/healthz", "/healthz/"}
READINESS_PATHS = {"/readyz", "/readyz/"}
READINESS_KEY = "readyz"


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # Once the schema is current it stays current for this process's lifetime, so the
        # migration graph is read from disk only until the first successful check.
        self.migrated = False

    def __call__(self, request):
        if request.path in LIVENESS_PATHS:
            return probe_response("ok")
        if request.path in READINESS_PATHS:
            return self.readiness()
        return self.get_response(request)

    def readiness(self):
        try:
            if not self.migrated:
                executor = MigrationExecutor(connection)
                pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
                if pending:
                    return probe_response(
                        "unavailable", f"{len(pending)} migrations not applied", status=503
                    )
                self.migrated = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return probe_response("unavailable", "database unreachable", status=503)
        try:
            # The rate limits are counted in this cache (Redis when REDIS_URL is set).
            cache.get(READINESS_KEY)
        except Exception:  # each backend raises its own errors (redis-py's, OSError...)
            return probe_response("unavailable", "cache unreachable", status=503)
        return probe_response("ok")


def probe_response(state, detail=None, status=200):
    body = {"status": state} if detail is None else {"status": state, "detail": detail}
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response
