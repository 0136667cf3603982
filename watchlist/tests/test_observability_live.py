"""Request ids, JSON logs, metrics and error reports on real gunicorn servers (two workers).

The server runs the production settings with one route that fails (watchlist.tests.
crash_settings), JSON logs, a metrics token and a Sentry DSN that points at a collector on
loopback. Its stdout is the log file the tests read.
"""

import gzip
import json
import os
import queue
import re
import secrets
import signal
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
from django.conf import settings
from prometheus_client.multiprocess import MultiProcessCollector

from watchlist.observability import gunicorn_setup
from watchlist.tests.live import (
    Gunicorn,
    collected_static,
    create_api_user,
    fresh_database_url,
    manage,
    server_env,
)

pytestmark = pytest.mark.live  # starts servers: the full suite only (pyproject.toml)

METRICS_TOKEN = secrets.token_urlsafe(32)
PASSWORD = "a-long-live-password-" + secrets.token_hex(8)
SENTRY_KEY = secrets.token_hex(16)


class SentryCollector(ThreadingHTTPServer):
    """Sentry's ingestion endpoint on loopback: the events of every envelope posted to it."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), EnvelopeHandler)
        self.events = queue.Queue()
        self.raw = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def dsn(self):
        return f"http://{SENTRY_KEY}@127.0.0.1:{self.server_address[1]}/42"

    def event_tagged(self, request_id, seconds=30):
        while True:
            event = self.events.get(timeout=seconds)
            if event.get("tags", {}).get("request_id") == request_id:
                return event


class EnvelopeHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        text = body.decode()
        self.server.raw.append(f"{self.path} {self.headers} {text}")
        lines = text.splitlines()
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                self.server.events.put(json.loads(payload))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def sentry():
    collector = SentryCollector()
    yield collector
    collector.shutdown()


@pytest.fixture(scope="module")
def observed(tmp_path_factory, sentry):
    """gunicorn, two workers, as the container runs it (JSON logs), metrics and Sentry on."""
    tmp_path = tmp_path_factory.mktemp("observed")
    database_url, cleanup = fresh_database_url(tmp_path)
    env = server_env(
        database_url,
        tmp_path,
        DJANGO_SETTINGS_MODULE="watchlist.tests.crash_settings",
        DJANGO_LOG_FORMAT="json",
        DJANGO_LOG_LEVEL="DEBUG",
        GUNICORN_LOG_LEVEL="debug",
        DJANGO_METRICS_TOKEN=METRICS_TOKEN,
        SENTRY_DSN=sentry.dsn,
        SENTRY_ENVIRONMENT="staging",
        DJANGO_THROTTLE_TOKEN="3/min",
        no_proxy="127.0.0.1,localhost",
    )
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(name, None)
    env["DJANGO_STATIC_ROOT"] = str(collected_static(env))
    manage(env, "migrate", "-v0")
    manage(env, "load_sample_movies", "-v0")
    token = create_api_user(env)
    manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from django.contrib.auth import get_user_model;"
        "u = get_user_model().objects.get(username='loadtester');"
        f"u.set_password({PASSWORD!r}); u.is_staff = u.is_superuser = True; u.save()",
    )
    server = Gunicorn(env, tmp_path / "stdout.log")
    server.wait_until_every_worker_live()  # tests send requests to each worker in turn
    server.token = token
    server.env = env
    yield server
    server.stop()
    if cleanup:
        cleanup()


def call(server, method, path, body=None, headers=None):
    """One request on a new connection: (status, headers, body)."""
    connection = HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def log_lines(server):
    server.log.flush()
    return [json.loads(line) for line in server.log_path.read_text().splitlines() if line]


def metrics_directory(server):
    (directory,) = gunicorn_setup.private_directories(server.process.pid)
    return directory


def requests_counted(files, route="movie-detail", status="200"):
    total = 0
    for metric in MultiProcessCollector.merge(files):
        for sample in metric.samples:
            if sample.name == "watchlist_http_requests_total" and sample.labels == {
                "method": "GET",
                "route": route,
                "status": status,
            }:
                total += sample.value
    return total


def per_worker(server):
    """Movie-detail answers counted by each worker, from its own metrics file."""
    files = metrics_directory(server).glob("counter_*.db")
    return {int(f.stem.split("_")[1]): requests_counted([str(f)]) for f in files}


def scraped(server, route="movie-detail", status="200"):
    status_code, _, body = call(
        server, "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert status_code == HTTPStatus.OK
    pattern = (
        rf'^watchlist_http_requests_total\{{method="GET",route="{route}",status="{status}"\}}'
        r" ([0-9.e+]+)$"
    )
    match = re.search(pattern, body.decode(), re.MULTILINE)
    return float(match.group(1)) if match else 0


# --- Request ids and log lines --------------------------------------------------------------


def test_request_ids_are_answered_and_logged_on_both_read_paths(observed):
    sent = {"anonymous": "trace-anon-1", "token": "trace-token-1"}
    answers = {
        "anonymous": call(observed, "GET", "/api/1/", headers={"X-Request-ID": sent["anonymous"]}),
        "token": call(
            observed,
            "GET",
            "/api/1/",
            headers={"X-Request-ID": sent["token"], "Authorization": f"Token {observed.token}"},
        ),
    }
    replaced = call(observed, "GET", "/api/1/", headers={"X-Request-ID": "x" * 300})

    assert {way: answer[1]["X-Request-ID"] for way, answer in answers.items()} == sent
    assert replaced[1]["X-Request-ID"] != "x" * 300
    access = {line["request_id"]: line for line in log_lines(observed) if "route" in line}
    for rid in [*sent.values(), replaced[1]["X-Request-ID"]]:
        assert access[rid]["route"] == "movie-detail"
        assert access[rid]["status"] == HTTPStatus.OK
    assert access[sent["token"]]["user_id"] > 0
    assert "user_id" not in access[sent["anonymous"]]


def test_every_stdout_line_is_one_json_object_with_the_documented_fields(observed):
    status, headers, _ = call(observed, "GET", "/api/?search=matrix")
    assert status == HTTPStatus.OK

    lines = log_lines(observed)  # json.loads fails on any line that is not one JSON object

    assert {"gunicorn.error", "watchlist.access"} <= {line["logger"] for line in lines}
    (access,) = [line for line in lines if line.get("request_id") == headers["X-Request-ID"]]
    assert set(access) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "path",
        "route",
        "status",
        "duration_ms",
        "db_queries",
        "client",
    }
    assert (access["method"], access["path"], access["route"]) == ("GET", "/api/", "movie-list")
    assert access["client"] == "127.0.0.1"
    assert access["db_queries"] == 1
    assert access["duration_ms"] > 0
    assert access["time"].endswith("+00:00")


def test_no_secret_reaches_the_log_after_every_route(observed):
    token, password = observed.token, PASSWORD
    auth = {"Authorization": f"Token {token}"}
    json_type = {"Content-Type": "application/json"}
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    statuses = []

    def send(method, path, body=None, headers=None):
        status, answer_headers, content = call(observed, method, path, body, headers)
        statuses.append(status)
        return status, answer_headers, content

    for path in ["/", "/api/", "/api/1/", "/api/schema/", "/api/docs/", "/healthz", "/readyz"]:
        send("GET", path)
    send("GET", "/api/?ordering=nonsense")
    _, _, created = send(
        "POST",
        "/api/",
        json.dumps({"title": "Memento", "release_date": "2000-10-11"}),
        {**auth, **json_type},
    )
    film = json.loads(created)["id"]
    send("POST", "/api/create/", "title=Heat&release_date=818035200", {**auth, **form_type})
    send(
        "PUT",
        f"/api/{film}/",
        json.dumps({"title": "M", "release_date": "2000-10-11"}),
        {**auth, **json_type},
    )
    send("PATCH", f"/api/{film}/", "title=Memento", {**auth, **form_type})
    send("POST", f"/api/{film}/watch/", None, auth)
    send("POST", f"/api/{film}/watch/", None, auth)  # 400: already watched
    send("POST", f"/api/{film}/unwatch/", None, auth)
    send("GET", f"/api/watch/{film}/", None, auth)
    send("POST", f"/api/watch/{film}/", None, auth)
    send("POST", "/api/", "{", {**auth, **json_type})  # 400: malformed
    send("POST", "/api/", "x", {**auth, "Content-Type": "text/plain"})  # 415
    send("POST", "/api/", "x" * 70_000, {**auth, **json_type})  # 413
    send(
        "POST", "/api/", json.dumps({"title": "x"}), {"Authorization": "Token wrong", **json_type}
    )
    send("DELETE", "/api/1/")  # 401: anonymous
    send("TRACE", "/api/1/", None, auth)  # 405
    send("GET", "/api/no/such/")  # 404
    send("GET", "/metrics", None, {"Authorization": "Bearer wrong-metrics-token"})
    send("GET", "/metrics", None, {"Authorization": f"Bearer {METRICS_TOKEN}"})
    # Seven token requests at 3 a minute: however the window's end falls among them, one
    # window gets four, and a 429. (Right guesses past the third: no lockout either way.)
    for guess in ["wrong-password", password, "wrong-again", *[password] * 4]:
        send(
            "POST",
            "/api/auth/token/",
            urllib.parse.urlencode({"username": "loadtester", "password": guess}),
            form_type,
        )
    # A browser: the login form, a session, a session write with and without its CSRF token.
    _, headers, page = send("GET", "/api/auth/login/")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    csrf_form = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    _, headers, _ = send(
        "POST",
        "/api/auth/login/",
        urllib.parse.urlencode(
            {
                "username": "loadtester",
                "password": password,
                "csrfmiddlewaretoken": csrf_form,
                "next": "/api/",
            }
        ),
        {**form_type, "Cookie": f"csrftoken={csrf_cookie}"},
    )
    cookies = dict(
        re.findall(r"(csrftoken|sessionid)=([^;]+)", " ".join(headers.get_all("Set-Cookie")))
    )
    session = cookies["sessionid"]
    cookie = f"csrftoken={cookies['csrftoken']}; sessionid={session}"
    send("GET", "/admin/", None, {"Cookie": cookie})
    send(
        "POST",
        "/api/",
        json.dumps({"title": "Heat", "release_date": "1995-12-15"}),
        {**json_type, "Cookie": cookie},
    )  # 403: no CSRF token
    send(
        "POST",
        "/api/",
        json.dumps({"title": "Heat", "release_date": "1995-12-15"}),
        {
            **json_type,
            "Cookie": cookie,
            "X-CSRFToken": cookies["csrftoken"],
            "Referer": observed.url,
        },
    )
    send(
        "POST",
        "/admin/login/",
        urllib.parse.urlencode(
            {
                "username": "loadtester",
                "password": "wrong-password",
                "csrfmiddlewaretoken": csrf_form,
            }
        ),
        {**form_type, "Cookie": f"csrftoken={csrf_cookie}"},
    )
    send("GET", "/api/crash/", None, {**auth, "Cookie": cookie})  # 500
    send("DELETE", f"/api/{film}/", None, auth)

    assert {200, 201, 400, 401, 403, 404, 405, 413, 415, 429, 500} <= set(statuses)
    log = observed.log_path.read_text()
    secrets_sent = {
        "the API token": token,
        "the password": password,
        "the session cookie": session,
        "the CSRF cookie": cookies["csrftoken"],
        "the CSRF form token": csrf_form,
        "the metrics token": METRICS_TOKEN,
        "the secret key": observed.env["DJANGO_SECRET_KEY"],
        "the Sentry key": SENTRY_KEY,
    }
    assert [name for name, value in secrets_sent.items() if value in log] == []
    assert "Authorization" not in log
    assert "Cookie:" not in log


def test_an_unhandled_error_reaches_sentry_with_the_request_id_and_no_credentials(
    observed, sentry
):
    cookie = "sessionid=" + secrets.token_hex(16)
    status, headers, body = call(
        observed,
        "GET",
        "/api/crash/",
        headers={
            "Authorization": f"Token {observed.token}",
            "Cookie": cookie,
            "X-Request-ID": "crash-report-1",
        },
    )

    assert status == HTTPStatus.INTERNAL_SERVER_ERROR
    assert json.loads(body) == {"detail": "Internal server error."}
    assert headers["X-Request-ID"] == "crash-report-1"
    event = sentry.event_tagged("crash-report-1")
    assert event["exception"]["values"][-1]["value"] == "boom"
    assert event["request"]["headers"]["X-Request-Id"] == "crash-report-1"
    assert event["environment"] == "staging"
    assert event["release"] == f"watchlist@{settings.APP_VERSION}"
    report = json.dumps(event) + "".join(sentry.raw)
    assert observed.token not in report
    assert cookie not in report
    assert "user" not in event
    (logged,) = [
        line
        for line in log_lines(observed)
        if line.get("request_id") == "crash-report-1" and line["level"] == "ERROR"
    ]
    assert "RuntimeError: boom" in logged["exc_info"]


# --- Metrics --------------------------------------------------------------------------------


def test_metrics_add_up_over_the_workers(observed):
    before, before_by_worker = scraped(observed), per_worker(observed)
    workers, each = observed.worker_pids(), 6
    assert len(workers) == 2
    # Each worker in turn serves requests, anonymous and with a token, on new connections.
    for worker in workers:
        with observed.serving_only(worker):
            for n in range(each):
                headers = {"Authorization": f"Token {observed.token}"} if n % 2 else {}
                assert call(observed, "GET", "/api/1/", headers=headers)[0] == HTTPStatus.OK

    after_by_worker = per_worker(observed)
    counted = {pid: after_by_worker[pid] - before_by_worker.get(pid, 0) for pid in workers}
    assert counted == dict.fromkeys(workers, each)
    assert scraped(observed) - before == each * len(workers)


def test_a_worker_killed_keeps_its_counts_in_the_sum(observed):
    counted = scraped(observed)
    victim, *_ = observed.worker_pids()
    files_before = {f.name for f in metrics_directory(observed).glob("*.db")}

    os.kill(victim, signal.SIGKILL)
    # Until gunicorn has replaced it (the process table says so; nothing announces it), and
    # the new worker serves. A bound for a broken master only: reaching it fails the test.
    deadline = time.monotonic() + 60
    while victim in observed.worker_pids() or len(observed.worker_pids()) != 2:
        assert time.monotonic() < deadline, "gunicorn did not replace the killed worker"
        time.sleep(0.05)
    observed.wait_until_every_worker_live()

    assert victim not in observed.worker_pids()
    assert f"counter_{victim}.db" in files_before
    assert scraped(observed) == counted


def test_stopping_the_server_removes_its_metrics_directory(tmp_path):
    database_url, _ = fresh_database_url(tmp_path, "sqlite")
    env = server_env(database_url, tmp_path, DJANGO_METRICS_TOKEN=METRICS_TOKEN)
    manage(env, "migrate", "-v0")
    server = Gunicorn(env, tmp_path / "stdout.log")
    directory = metrics_directory(server)
    call(server, "GET", "/api/")

    assert any(directory.glob("counter_*.db"))
    assert server.stop() == 0
    assert not directory.exists()
