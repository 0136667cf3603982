"""Database queries per request for each scenario, run by the harness in `manage.py shell`.

Prints one JSON line: {scenario: queries per request}.
"""

import json
import os

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

SEARCH = "/api/?is_watched=false&search=film%2009"
AUTH = {"HTTP_AUTHORIZATION": f"Token {os.environ['BENCH_TOKEN']}", "HTTP_HOST": "127.0.0.1"}
FORM = "application/x-www-form-urlencoded"
BODY = "title=Benchmark&release_date=937353600"


def per_request(*calls):
    with CaptureQueriesContext(connection) as captured:
        for call in calls:
            response = call()
            assert response.status_code < 400, (response.status_code, response.content)
    return len(captured) / len(calls)


client = Client(HTTP_HOST="127.0.0.1")
scenarios = {
    "detail": lambda: per_request(lambda: client.get("/api/1/")),
    "list-4": lambda: per_request(lambda: client.get("/api/")),
    "detail-token": lambda: per_request(lambda: client.get("/api/1/", **AUTH)),
    "list-4-token": lambda: per_request(lambda: client.get("/api/", **AUTH)),
    "list-10k": lambda: per_request(lambda: client.get("/api/")),
    "list-100k": lambda: per_request(lambda: client.get("/api/")),
    "search-100k": lambda: per_request(lambda: client.get(SEARCH)),
    "create": lambda: per_request(
        lambda: client.post("/api/create/", BODY, content_type=FORM, **AUTH)
    ),
    "watch": lambda: per_request(
        lambda: client.post("/api/1/watch/", **AUTH),
        lambda: client.post("/api/1/unwatch/", **AUTH),
    ),
}
wanted = os.environ["BENCH_SCENARIOS"].split(",")
print(json.dumps({name: scenarios[name]() for name in wanted if name in scenarios}))
