"""The project as it ships: collected static files, production settings, real gunicorn."""

import json
import re
import signal
from http import HTTPStatus

import pytest

from watchlist.tests.live import fetch, shipped_server


@pytest.fixture(scope="module")
def server(tmp_path_factory, static_root):
    """gunicorn with the shipped config, debug off, on a fresh SQLite file, on loopback."""
    gunicorn = shipped_server(tmp_path_factory.mktemp("server"), static_root)
    yield gunicorn
    gunicorn.stop()


def test_api_serves_the_sample_films(server):
    status, headers, body = fetch(f"{server.url}/api/")

    assert status == HTTPStatus.OK
    assert headers["Content-Type"] == "application/json"
    assert [m["title"] for m in json.loads(body)] == [
        "Fight Club",
        "The Matrix",
        "Donnie Darko",
        "Inception",
    ]


def test_index_answers_json(server):
    status, _, body = fetch(f"{server.url}/")

    assert status == HTTPStatus.OK
    assert json.loads(body)["links"]["api"] == f"{server.url}/api/"


def stylesheet_of(page):
    match = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
    assert match, "the admin page does not link a hashed (collected) base stylesheet"
    return match.group(1).decode()


def test_admin_stylesheet_is_collected_cached_and_compressed(server):
    status, _, page = fetch(f"{server.url}/admin/login/")
    assert status == HTTPStatus.OK

    css = stylesheet_of(page)
    status, headers, _ = fetch(f"{server.url}{css}", {"Accept-Encoding": "br, gzip"})

    assert status == HTTPStatus.OK
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 31_536_000
    assert headers["Content-Encoding"] == "br"


def test_browsable_api_and_docs_assets_are_served(server):
    _, _, api_page = fetch(f"{server.url}/api/", {"Accept": "text/html"})
    _, _, docs_page = fetch(f"{server.url}/api/docs/")

    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', api_page + docs_page)
    assert len(assets) >= 5
    for asset in set(assets):
        assert fetch(f"{server.url}{asset.decode()}")[0] == HTTPStatus.OK, asset
    assert b"swagger-ui-bundle" in docs_page


def test_unknown_api_url_is_json_with_debug_off(server):
    status, headers, body = fetch(f"{server.url}/api/nope/")

    assert status == HTTPStatus.NOT_FOUND
    assert json.loads(body) == {"detail": "Not found."}
    assert headers["Content-Type"] == "application/json"


def test_wsgi_module_exposes_the_application():
    from django.core.handlers.wsgi import WSGIHandler

    from watchlist.wsgi import application

    assert isinstance(application, WSGIHandler)


def test_container_probe_reports_a_live_server(server, monkeypatch):
    from watchlist import probe

    monkeypatch.setenv("PORT", str(server.port))

    assert probe.main() == 0


def test_container_probe_reports_a_dead_server(monkeypatch, capsys):
    from watchlist import probe
    from watchlist.tests.live import free_port

    monkeypatch.setenv("PORT", str(free_port()))

    assert probe.main() == 1
    assert "unhealthy" in capsys.readouterr().err


def test_sigterm_stops_the_server_cleanly(server):
    server.process.send_signal(signal.SIGTERM)

    assert server.process.wait(timeout=30) == 0
