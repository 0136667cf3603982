"""Request ids, log lines, metrics and error-report scrubbing, in-process (the real servers
are in test_observability_live.py)."""

import json
import logging
import os
import re
import secrets
import subprocess
import sys
from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from prometheus_client import REGISTRY

from accounts.tokens import issue_token
from movies.models import Movie
from watchlist.observability import error_reports, gunicorn_setup, logs, metrics
from watchlist.observability.request_context import (
    RequestContext,
    current,
    new_request_id,
    request_id_for,
)
from watchlist.tests.test_settings import load_settings

METRICS_TOKEN = secrets.token_urlsafe(32)


@pytest.fixture
def film(db):
    return Movie.objects.create(title="Memento", release_date="2000-10-11")


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("viewer", password="a-long-test-password")


@pytest.fixture
def observed_client():
    """A client of a stack with metrics on (the middleware reads the settings once)."""
    with override_settings(METRICS_TOKEN=METRICS_TOKEN):
        yield Client()


def access_records(caplog):
    return [r for r in caplog.records if r.name == logs.ACCESS_LOGGER]


# --- Request ids ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["film", "list", "unknown"])
def test_every_answer_carries_a_new_request_id(client, film, path):
    url = {"film": f"/api/{film.pk}/", "list": "/api/", "unknown": "/api/no/such/"}[path]

    first, second = client.get(url)["X-Request-ID"], client.get(url)["X-Request-ID"]

    assert first != second
    assert all(request_id_for(value) == value for value in (first, second))


@pytest.mark.parametrize(
    "sent", ["9f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "7F000001:C8F3_0001", "bG9n+ZyB/Pw=="]
)
def test_a_sane_incoming_request_id_is_kept(client, film, sent):
    response = client.get(f"/api/{film.pk}/", HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] == sent


@pytest.mark.parametrize("sent", ["", "a" * 129, "has space", "semi;colon", 'quote"', "é"])
def test_an_odd_incoming_request_id_is_replaced(client, film, caplog, sent):
    caplog.set_level(logging.INFO)

    response = client.get(f"/api/{film.pk}/", HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] != sent
    assert response["X-Request-ID"] == access_records(caplog)[-1].request_id


def test_request_ids_are_unique_and_short():
    ids = {new_request_id() for _ in range(10_000)}

    assert len(ids) == 10_000
    assert max(len(value) for value in ids) <= 24


def test_a_forked_process_draws_a_new_id_prefix():
    read, write = os.pipe()
    parent = new_request_id().split("-")[0]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode().split("-")[0]

    assert child != parent


# --- Log lines ------------------------------------------------------------------------------


def test_every_line_written_for_a_request_carries_its_id(client, caplog):
    caplog.set_level(logging.INFO)

    response = client.get("/api/no/such/", HTTP_X_REQUEST_ID="trace-404")

    lines = [r for r in caplog.records if r.name in {"django.request", logs.ACCESS_LOGGER}]
    assert {r.name for r in lines} == {"django.request", logs.ACCESS_LOGGER}
    assert {r.request_id for r in lines} == {"trace-404"}
    assert response["X-Request-ID"] == "trace-404"


def test_a_line_written_outside_requests_has_no_id(client, db, caplog):
    caplog.set_level(logging.INFO)
    client.get("/api/")

    logging.getLogger("watchlist.elsewhere").warning("between requests")

    assert not hasattr(caplog.records[-1], "request_id")


def test_the_access_line_tells_route_status_duration_queries_and_client(client, film, caplog):
    caplog.set_level(logging.INFO)

    client.get(f"/api/{film.pk}/", REMOTE_ADDR="203.0.113.9")

    line = access_records(caplog)[-1]
    assert line.getMessage().startswith(f"GET /api/{film.pk}/ 200 ")
    assert (line.method, line.path, line.route, line.status) == (
        "GET",
        f"/api/{film.pk}/",
        "movie-detail",
        200,
    )
    assert line.db_queries == 1
    assert line.duration_ms > 0
    assert line.client == "203.0.113.9"
    assert not hasattr(line, "user_id")


def test_the_access_line_names_the_signed_in_user(film, user, caplog):
    caplog.set_level(logging.INFO)
    _, token = issue_token(user)

    Client().get(f"/api/{film.pk}/", HTTP_AUTHORIZATION=f"Token {token}")

    line = access_records(caplog)[-1]
    assert line.user_id == user.pk
    assert line.db_queries == 2  # the token, the film
    assert token not in line.getMessage()


def test_the_access_line_of_a_session_user_costs_no_query_of_its_own(user, caplog):
    caplog.set_level(logging.INFO)
    client = Client()
    client.force_login(user)

    client.get("/admin/")  # the admin reads the session user

    line = access_records(caplog)[-1]
    assert (line.route, line.user_id) == ("admin:index", user.pk)


def test_the_access_line_does_not_look_up_a_session_user_nothing_asked_for(user, caplog):
    caplog.set_level(logging.INFO)
    client = Client()
    client.force_login(user)

    response = client.get("/nowhere/")  # a 404 reads no user

    line = access_records(caplog)[-1]
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert (line.route, line.db_queries) == ("unmatched", 0)
    assert not hasattr(line, "user_id")


@override_settings(REST_FRAMEWORK={"NUM_PROXIES": 1})
def test_the_access_line_reads_the_client_behind_proxies_as_the_throttles_do(client, db, caplog):
    caplog.set_level(logging.INFO)

    client.get("/api/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4, 10.0.0.1")

    assert access_records(caplog)[-1].client == "10.0.0.1"


def test_a_newline_in_the_path_stays_on_one_line(client, caplog):
    caplog.set_level(logging.INFO)

    client.get("/api/x%0Ay/")

    line = access_records(caplog)[-1]
    assert "\n" not in line.getMessage()
    assert line.path == "/api/x%0Ay/"


def test_a_long_path_is_cut(client, caplog):
    caplog.set_level(logging.INFO)

    client.get("/api/" + "x" * 3000)

    assert len(access_records(caplog)[-1].path) == 1024 + 3


@override_settings(ACCESS_LOG=False)
def test_the_access_line_can_be_turned_off(db, caplog):
    caplog.set_level(logging.INFO)

    Client().get("/api/")

    assert access_records(caplog) == []


def json_record(message, **extra):
    logger = logging.getLogger(logs.ACCESS_LOGGER)
    record = logger.makeRecord(
        logger.name, logging.INFO, __file__, 1, message, None, None, extra=extra
    )
    return json.loads(logs.JsonFormatter().format(record))


def test_the_json_access_line_is_the_line_the_formatter_writes(tmp_path):
    fields = {
        "request_id": "abc-1",
        "method": "GET",
        "path": "/api/é/",
        "route": "movie-detail",
        "status": 200,
        "duration_ms": 1.25,
        "db_queries": 1,
        "client": "127.0.0.1",
        "user_id": 7,
    }
    with (tmp_path / "out").open("wb") as stream:
        logs.AccessLog("json", stream).write("GET /api/é/ 200 1.2ms", fields)

    fast = json.loads((tmp_path / "out").read_text())
    formatted = json_record("GET /api/é/ 200 1.2ms", **fields)

    # Written a moment apart: the same shape of time, in UTC, close together.
    written, made = fast.pop("time"), formatted.pop("time")
    assert re.sub(r"\d", "0", written) == re.sub(r"\d", "0", made)
    written, made = datetime.fromisoformat(written), datetime.fromisoformat(made)
    assert written.utcoffset() == made.utcoffset() == timedelta(0)
    assert abs(made - written) < timedelta(seconds=5)
    assert list(fast.items()) == list(formatted.items())


def test_json_lines_keep_scalar_extras_and_drop_objects():
    line = json_record("Not Found: /x", status_code=404, request=object(), flag=True)

    assert line["status_code"] == 404
    assert line["flag"] is True
    assert "request" not in line
    assert list(line)[:4] == ["time", "level", "logger", "message"]


def test_json_lines_carry_the_traceback():
    logger = logging.getLogger("watchlist.test")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "x", None, error)
        record.exc_info = (type(error), error, error.__traceback__)

    line = json.loads(logs.JsonFormatter().format(record))

    assert line["level"] == "ERROR"
    assert "RuntimeError: boom" in line["exc_info"]


def test_the_text_format_shows_the_request_id():
    formatter = logging.Formatter(
        **{k: v for k, v in logs.FORMATTERS["text"].items() if k != "()"}
    )
    logger = logging.getLogger("watchlist.test")
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "hello", None, None)
    token = current.set(RequestContext("rid-1"))
    try:
        logs.RequestContextFilter().filter(record)
    finally:
        current.reset(token)

    assert formatter.format(record).endswith("INFO watchlist.test [rid-1] hello")


@pytest.mark.parametrize(
    ("value", "expected"), [("", "text"), (" JSON ", "json"), ("text", "text")]
)
def test_the_log_format_comes_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(logs.LOG_FORMAT_VARIABLE, value)

    assert logs.log_format_from_env() == expected


def test_an_unknown_log_format_refuses_to_start(tmp_path):
    result = load_settings(
        tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_LOG_FORMAT="xml"
    )

    assert result.returncode != 0
    assert (
        'Environment variable "DJANGO_LOG_FORMAT" invalid: must be one of json, text.'
        in result.stderr
    )


def test_a_weak_metrics_token_refuses_to_start(tmp_path):
    result = load_settings(
        tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_METRICS_TOKEN="short"
    )

    assert result.returncode != 0
    assert (
        'Environment variable "DJANGO_METRICS_TOKEN" invalid: it needs 32+ ASCII characters'
        in result.stderr
    )


# --- Metrics --------------------------------------------------------------------------------


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


def requests_counted(method, route, status):
    return sample("watchlist_http_requests_total", method=method, route=route, status=status)


def test_no_metrics_route_without_a_token(client, db):
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")

    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("sent", [None, "Bearer wrong", f"Token {METRICS_TOKEN}", METRICS_TOKEN])
def test_metrics_need_the_bearer_token(observed_client, sent):
    headers = {} if sent is None else {"HTTP_AUTHORIZATION": sent}

    response = observed_client.get("/metrics", **headers)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"watchlist_" not in response.content


def test_metrics_answer_only_get(observed_client):
    response = observed_client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "GET"


@override_settings(ALLOWED_HOSTS=["watchlist.example.com"], SECURE_SSL_REDIRECT=True)
def test_metrics_answer_any_host_over_plain_http_and_count_nothing_of_their_own():
    with override_settings(METRICS_TOKEN=METRICS_TOKEN):
        client = Client()
        before = requests_counted("GET", metrics.UNMATCHED, "200")

        response = client.get(
            "/metrics", HTTP_HOST="10.0.0.7:8000", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}"
        )

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"
    assert b'watchlist_app_info{django="' in response.content
    assert requests_counted("GET", metrics.UNMATCHED, "200") == before
    assert "X-Request-ID" not in response


def test_metrics_speak_openmetrics_when_asked(observed_client):
    response = observed_client.get(
        "/metrics",
        HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}",
        HTTP_ACCEPT="application/openmetrics-text; version=1.0.0",
    )

    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


def test_both_read_paths_count_as_one_route(observed_client, film, user):
    _, token = issue_token(user)
    before = requests_counted("GET", "movie-detail", "200")
    queries = sample("watchlist_db_queries_total", method="GET", route="movie-detail")

    observed_client.get(f"/api/{film.pk}/")  # the early answer
    observed_client.get(f"/api/{film.pk}/", HTTP_AUTHORIZATION=f"Token {token}")  # DRF

    assert requests_counted("GET", "movie-detail", "200") == before + 2
    assert sample("watchlist_db_queries_total", method="GET", route="movie-detail") == (
        queries + 1 + 2
    )


def test_latency_is_observed_by_route(observed_client, db):
    before = sample(
        "watchlist_http_request_duration_seconds_count", method="GET", route="movie-list"
    )

    observed_client.get("/api/")

    after = sample(
        "watchlist_http_request_duration_seconds_count", method="GET", route="movie-list"
    )
    assert after == before + 1
    assert sample("watchlist_http_request_duration_seconds_sum", method="GET", route="movie-list")


def test_unknown_urls_and_methods_get_fixed_labels(observed_client, db):
    unknown = requests_counted("GET", metrics.UNMATCHED, "404")
    odd = requests_counted("other", "movie-list", "405")

    observed_client.get(f"/api/{secrets.token_hex(8)}/nowhere/")
    observed_client.generic("BREW", "/api/")

    assert requests_counted("GET", metrics.UNMATCHED, "404") == unknown + 1
    assert requests_counted("other", "movie-list", "405") == odd + 1


def test_throttle_refusals_are_counted_by_limit(
    observed_client, user, monkeypatch, one_limit_window
):
    from watchlist.throttles import CountingThrottle

    monkeypatch.setattr(CountingThrottle, "THROTTLE_RATES", {"token": "1/min"})
    before = sample("watchlist_throttled_requests_total", scope="token")
    url = reverse("api-token")

    answers = [observed_client.post(url, {"username": "x", "password": "y"}) for _ in range(3)]

    assert [a.status_code for a in answers] == [400, 429, 429]
    assert sample("watchlist_throttled_requests_total", scope="token") == before + 2
    assert requests_counted("POST", "api-token", "429") >= 2


def test_a_scrape_adds_up_the_files_of_every_worker(tmp_path, monkeypatch):
    # Two processes' values, as gunicorn's workers leave them: the scrape sums them.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    code = (
        "from prometheus_client import Counter;"
        "Counter('watchlist_http_requests', 'x', ['method', 'route', 'status'])"
        ".labels('GET', 'movie-list', '200').inc(3)"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ))

    body, content_type = metrics.exposition(None)

    assert content_type.startswith("text/plain")
    assert (
        b'watchlist_http_requests_total{method="GET",route="movie-list",status="200"} 6.0' in body
    )


FORKED_WORKER = """
import os, sys
from watchlist.observability import metrics
requests = metrics.REQUESTS.labels("GET", "movie-list", "200")
requests.inc()
child = os.fork()  # as gunicorn's preload_app or multiprocessing would fork
if child == 0:
    requests.inc(10)
    os._exit(0)
os.waitpid(child, 0)
requests.inc()
print(os.getpid(), child)
"""


def test_a_forked_worker_writes_its_values_to_a_file_of_its_own(tmp_path, monkeypatch):
    # A fork must be noticed, or parent and child would write over each other's values.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    output = subprocess.run(
        [sys.executable, "-c", FORKED_WORKER],
        check=True,
        cwd=settings.BASE_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
    ).stdout
    parent, child = output.split()

    files = sorted(path.name for path in tmp_path.iterdir())
    body, _ = metrics.exposition(None)

    assert files == sorted([f"counter_{parent}.db", f"counter_{child}.db"])
    assert (
        b'watchlist_http_requests_total{method="GET",route="movie-list",status="200"} 12.0' in body
    )


# --- gunicorn's side ------------------------------------------------------------------------


def test_the_master_makes_a_private_metrics_directory_and_removes_it(monkeypatch, tmp_path):
    monkeypatch.setenv(gunicorn_setup.DIRECTORY_VARIABLE, "")  # unset; restored after
    monkeypatch.setattr(gunicorn_setup, "SHM", tmp_path)

    gunicorn_setup.on_starting(server=None)
    directory = os.environ[gunicorn_setup.DIRECTORY_VARIABLE]

    assert [str(d) for d in gunicorn_setup.private_directories(os.getpid())] == [directory]
    assert os.path.basename(directory).startswith(f"watchlist-metrics-{os.getpid()}-")
    assert oct(os.stat(directory).st_mode)[-3:] == "700"
    gunicorn_setup.on_exit(server=None)
    assert not os.path.exists(directory)


def test_a_chosen_metrics_directory_is_emptied_of_a_previous_run(monkeypatch, tmp_path):
    (tmp_path / "counter_123.db").write_bytes(b"old")
    (tmp_path / "keep.txt").write_text("not ours")
    monkeypatch.setenv(gunicorn_setup.DIRECTORY_VARIABLE, str(tmp_path))

    gunicorn_setup.on_starting(server=None)
    gunicorn_setup.on_exit(server=None)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_dead_workers_live_gauges_are_removed(monkeypatch, tmp_path):
    monkeypatch.setenv(gunicorn_setup.DIRECTORY_VARIABLE, str(tmp_path))
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    (tmp_path / "counter_4242.db").write_bytes(b"")

    gunicorn_setup.child_exit(server=None, worker=type("Worker", (), {"pid": 4242}))

    assert [p.name for p in tmp_path.iterdir()] == ["counter_4242.db"]


# --- Error reports --------------------------------------------------------------------------


def test_error_reports_carry_the_request_id_and_no_credentials():
    event = {
        "request": {
            "url": "http://testserver/api/crash/",
            "headers": {
                "Authorization": "Token secret-token",
                "Cookie": "sessionid=secret-session",
                "X-CSRFToken": "secret-csrf",
                "User-Agent": "curl",
                "X-Request-ID": "rid-9",
            },
            "cookies": {"sessionid": "secret-session"},
            "data": {"password": "secret-password"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        }
    }
    token = current.set(RequestContext("rid-9"))
    try:
        scrubbed = error_reports.without_personal_data(event, {})
    finally:
        current.reset(token)

    assert scrubbed["tags"] == {"request_id": "rid-9"}
    assert scrubbed["request"] == {
        "url": "http://testserver/api/crash/",
        "headers": {"User-Agent": "curl", "X-Request-ID": "rid-9"},
    }
    assert "secret" not in json.dumps(scrubbed)


def test_an_error_outside_requests_is_reported_as_it_is():
    event = {"message": "startup failed"}

    assert error_reports.without_personal_data(event, {}) == {"message": "startup failed"}
