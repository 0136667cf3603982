"""The ceiling: a WSGI app with no framework, answering the bytes the project answers.

The harness records the project's answer for each route and points BENCH_BARE_RESPONSES at
that file; this app then serves the same bytes by method and path shape.
"""

import json
import os
import re

with open(os.environ["BENCH_BARE_RESPONSES"]) as file:
    RESPONSES = {key: body.encode() for key, body in json.load(file).items()}

DETAIL = re.compile(r"/api/[0-9]+/")


def application(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    if method == "GET" and DETAIL.fullmatch(path):
        key = "detail"
    elif method == "GET" and path == "/api/":
        key = "list:" + environ.get("QUERY_STRING", "")
    elif method == "POST":
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        key = "create" if "create" in path or path == "/api/" else "watch"
    else:
        key = None
    body = RESPONSES.get(key, b'{"detail":"Not found."}')
    status = (
        "201 Created" if key == "create" else "200 OK" if key in RESPONSES else "404 Not Found"
    )
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
