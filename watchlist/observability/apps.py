from django.apps import AppConfig
from django.core.signals import request_finished

from watchlist.observability.request_context import forget_request


class ObservabilityConfig(AppConfig):
    name = "watchlist.observability"
    label = "observability"

    def ready(self):
        request_finished.connect(forget_request, dispatch_uid="watchlist-forget-request")
