"""The project as it ships: collected static files, production settings, real gunicorn."""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http import HTTPStatus
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with the shipped config, debug off, on a fresh SQLite file, on loopback."""
    tmp = tmp_path_factory.mktemp("server")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="watchlist.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_HTTPS="0",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        WATCHLIST_DATA_DIR=str(tmp / "data"),
        WEB_CONCURRENCY="2",
    )
    manage = [sys.executable, "manage.py"]
    for command in (
        ["collectstatic", "--noinput", "-v0"],
        ["migrate", "-v0"],
        ["load_sample_movies", "-v0"],
    ):
        subprocess.run([*manage, *command], cwd=BASE_DIR, env=env, check=True, timeout=120)
    port = free_port()
    log = (tmp / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "watchlist/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "watchlist.wsgi",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if fetch(f"{base}/healthz")[0] == HTTPStatus.OK:
                break
        except OSError:
            pass
        assert process.poll() is None, (tmp / "gunicorn.log").read_text()
        assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 30 s"
        time.sleep(0.2)
    yield base, process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)
    log.close()


def test_api_serves_the_sample_films(server):
    base, _ = server
    status, headers, body = fetch(f"{base}/api/")

    assert status == HTTPStatus.OK
    assert headers["Content-Type"] == "application/json"
    assert [m["title"] for m in json.loads(body)] == [
        "Fight Club",
        "The Matrix",
        "Donnie Darko",
        "Inception",
    ]


def test_index_answers_json(server):
    base, _ = server
    status, _, body = fetch(f"{base}/")

    assert status == HTTPStatus.OK
    assert json.loads(body)["links"]["api"] == f"{base}/api/"


def stylesheet_of(page):
    match = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
    assert match, "the admin page does not link a hashed (collected) base stylesheet"
    return match.group(1).decode()


def test_admin_stylesheet_is_collected_cached_and_compressed(server):
    base, _ = server
    status, _, page = fetch(f"{base}/admin/login/")
    assert status == HTTPStatus.OK

    css = stylesheet_of(page)
    status, headers, _ = fetch(f"{base}{css}", {"Accept-Encoding": "br, gzip"})

    assert status == HTTPStatus.OK
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 31_536_000
    assert headers["Content-Encoding"] == "br"


def test_browsable_api_and_docs_assets_are_served(server):
    base, _ = server
    _, _, api_page = fetch(f"{base}/api/", {"Accept": "text/html"})
    _, _, docs_page = fetch(f"{base}/api/docs/")

    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', api_page + docs_page)
    assert len(assets) >= 5
    for asset in set(assets):
        assert fetch(f"{base}{asset.decode()}")[0] == HTTPStatus.OK, asset
    assert b"swagger-ui-bundle" in docs_page


def test_unknown_api_url_is_json_with_debug_off(server):
    base, _ = server
    status, headers, body = fetch(f"{base}/api/nope/")

    assert status == HTTPStatus.NOT_FOUND
    assert json.loads(body) == {"detail": "Not found."}
    assert headers["Content-Type"] == "application/json"


def test_sigterm_stops_the_server_cleanly(server):
    _base, process = server
    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=30) == 0


def test_wsgi_module_exposes_the_application():
    from django.core.handlers.wsgi import WSGIHandler

    from watchlist.wsgi import application

    assert isinstance(application, WSGIHandler)
