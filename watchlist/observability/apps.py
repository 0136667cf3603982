from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished
from django.db.backends.signals import connection_created

from watchlist.internals.django import add_execute_wrapper
from watchlist.observability.request_context import count_query, forget_request


class ObservabilityConfig(AppConfig):
    name = "watchlist.observability"
    label = "observability"

    def ready(self):
        request_finished.connect(forget_request, dispatch_uid="watchlist-forget-request")
        if settings.METRICS_TOKEN or settings.ACCESS_LOG:
            # The access line and the metrics give each request's number of queries.
            connection_created.connect(count_queries_on, dispatch_uid="watchlist-count-queries")


def count_queries_on(connection, **kwargs):
    add_execute_wrapper(connection, count_query)
