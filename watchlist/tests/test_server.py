"""The project as it ships: collected static files, production settings, real gunicorn."""

import gzip
import json
import re
import signal
from http import HTTPStatus
from http.client import HTTPConnection

import pytest
import requests

from watchlist.tests.live import create_api_user, fetch, shipped_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with the shipped config, debug off, on a fresh SQLite file, on loopback."""
    gunicorn = shipped_server(tmp_path_factory.mktemp("server"))
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


# --- HTTP as real clients use it --------------------------------------------------------


def test_head_answers_the_headers_of_get_without_a_body(server):
    got = fetch(f"{server.url}/api/")
    connection = HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("HEAD", "/api/")
    head = connection.getresponse()

    assert head.status == got[0] == HTTPStatus.OK
    assert head.read() == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Cache-Control", "Vary"):
        assert head.getheader(name) == got[1][name], name
    connection.close()


def test_a_client_following_the_slash_redirect_keeps_its_write(server):
    token = create_api_user(server.env)
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"

    created = session.post(
        f"{server.url}/api/create", data={"title": "Primer", "release_date": "1096934400"}
    )
    film_url = f"{server.url}/api/{created.json()['id']}"
    changed = session.patch(film_url, json={"title": "Primer (2004)"})
    deleted = session.delete(film_url)

    assert [r.status_code for r in created.history] == [HTTPStatus.PERMANENT_REDIRECT]
    assert created.status_code == HTTPStatus.CREATED
    assert changed.status_code == HTTPStatus.OK
    assert changed.json()["title"] == "Primer (2004)"
    assert deleted.json() == {"detail": "Movie has been successfully deleted."}
    assert session.get(film_url).status_code == HTTPStatus.NOT_FOUND


def test_json_is_gzipped_for_a_client_that_takes_it(server):
    _, plain_headers, plain = fetch(f"{server.url}/api/schema/?format=json")
    status, headers, body = fetch(
        f"{server.url}/api/schema/?format=json", {"Accept-Encoding": "gzip"}
    )

    assert status == HTTPStatus.OK
    assert headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body) < len(plain) / 5
    assert gzip.decompress(body) == plain
    assert headers["ETag"] == plain_headers["ETag"]


def test_an_unchanged_film_answers_304_to_its_etag(server):
    _, headers, _ = fetch(f"{server.url}/api/1/")

    status, again, body = fetch(f"{server.url}/api/1/", {"If-None-Match": headers["ETag"]})

    assert status == HTTPStatus.NOT_MODIFIED
    assert body == b""
    assert again["ETag"] == headers["ETag"]


def test_sigterm_stops_the_server_cleanly(server):
    server.process.send_signal(signal.SIGTERM)

    assert server.process.wait(timeout=30) == 0
