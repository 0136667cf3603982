"""The Prometheus metrics of the API, and their exposition (docs/operating/observability.md).

Under gunicorn each worker writes its values to files in one directory (prometheus-client's
multiprocess mode, set up by watchlist.observability.gunicorn_setup), and a scrape adds them
up: the numbers are the server's, whichever worker answers the scrape.
"""

import os
import platform

import django
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

# `*_created` series would double the output; multiprocess mode has none anyway.
disable_created_metrics()

# Labels stay bounded: `route` is the URL pattern's name (UNMATCHED when no pattern
# answered), `method` one of METHODS or "other", `status` a status code.
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "watchlist_http_requests",
    "Requests answered, by method, route (URL pattern name) and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "watchlist_http_request_duration_seconds",
    "Time to produce the response, by method and route.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUERIES = Counter(
    "watchlist_db_queries",
    "Database queries made while answering requests, by method and route.",
    ["method", "route"],
)
THROTTLED = Counter(
    "watchlist_throttled_requests",
    "Requests refused (429) by a rate limit, by limit (writes, reads, token).",
    ["scope"],
)
APP_INFO = Gauge(
    "watchlist_app_info",
    "The running code: always 1, with its versions as labels.",
    ["version", "django", "python"],
    multiprocess_mode="max",
)


class HttpMetrics:
    """Counts answered requests. The children of each label set are looked up once."""

    def __init__(self):
        self.children = {}

    def observe(self, method, route, status, seconds, queries):
        if method not in METHODS:
            method = "other"  # before the cache: any token is a method to gunicorn
        key = (method, route, status)
        children = self.children.get(key)
        if children is None:
            children = self.children[key] = (
                REQUESTS.labels(method, route, str(status)),
                LATENCY.labels(method, route),
                QUERIES.labels(method, route),
            )
        requests, latency, database = children
        requests.inc()
        latency.observe(seconds)
        if queries:
            database.inc(queries)


def record_app_info(version):
    APP_INFO.labels(version, django.get_version(), platform.python_version()).set(1)


def exposition(accept_header):
    """(body, content type) of a scrape: the text format, or OpenMetrics if asked for."""
    encoder, content_type = choose_encoder(accept_header)
    return encoder(registry()), content_type


def registry():
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return REGISTRY  # one process (manage.py runserver, tests): its own values
    combined = CollectorRegistry()
    MultiProcessCollector(combined, path=directory)
    return combined
