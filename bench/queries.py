"""Database queries per request for each scenario, run by the harness in `manage.py shell`.

Prints one JSON line: {scenario: queries per request}.
"""

import json
import os
import urllib.parse
from datetime import date

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.films import COMMON_SEARCH, RARE_SEARCH
from movies.models import Movie

AUTH = {"HTTP_AUTHORIZATION": f"Token {os.environ['BENCH_TOKEN']}", "HTTP_HOST": "127.0.0.1"}
FORM = "application/x-www-form-urlencoded"
BODY = "title=Benchmark&release_date=937353600"


def per_request(*calls):
    with CaptureQueriesContext(connection) as captured:
        for call in calls:
            response = call()
            assert response.status_code < 400, (response.status_code, response.content)
    return len(captured) / len(calls)


def on_a_new_film(request):
    """Queries of `request(path)` on a film made for it (its making not counted)."""
    path = f"/api/{Movie.objects.create(title='Counted', release_date=date(2000, 1, 1)).pk}/"
    return per_request(lambda: request(path))


client = Client(HTTP_HOST="127.0.0.1")
scenarios = {
    "detail": lambda: per_request(lambda: client.get("/api/1/")),
    "list-4": lambda: per_request(lambda: client.get("/api/")),
    "detail-token": lambda: per_request(lambda: client.get("/api/1/", **AUTH)),
    "list-4-token": lambda: per_request(lambda: client.get("/api/", **AUTH)),
    "list-10k": lambda: per_request(lambda: client.get("/api/")),
    "list-100k": lambda: per_request(lambda: client.get("/api/")),
    "list-4-postgres": lambda: per_request(lambda: client.get("/api/")),
    "search-rare": lambda: per_request(
        lambda: client.get(f"/api/?search={urllib.parse.quote(RARE_SEARCH)}")
    ),
    "search-common": lambda: per_request(lambda: client.get(f"/api/?search={COMMON_SEARCH}")),
    "create": lambda: per_request(
        lambda: client.post("/api/create/", BODY, content_type=FORM, **AUTH)
    ),
    "edit": lambda: on_a_new_film(
        lambda path: client.patch(path, "title=Edited", content_type=FORM, **AUTH)
    ),
    "delete": lambda: on_a_new_film(lambda path: client.delete(path, **AUTH)),
    "watch": lambda: per_request(
        lambda: client.post("/api/1/watch/", **AUTH),
        lambda: client.post("/api/1/unwatch/", **AUTH),
    ),
}


def kind(name):
    """The scenario's kind: search-rare-1m-postgres counts as search-rare, and so on."""
    for known in sorted(scenarios, key=len, reverse=True):
        if name == known or name.startswith(f"{known}-"):
            return known
    return None


wanted = os.environ["BENCH_SCENARIOS"].split(",")
print(json.dumps({name: scenarios[kind(name)]() for name in wanted if kind(name)}))
