"""The project as it ships: collected static files, production settings, real gunicorn."""

import gzip
import json
import re
import signal
from http import HTTPStatus
from http.client import HTTPConnection

import pytest
import requests

from watchlist.tests.live import (
    Gunicorn,
    collected_static,
    create_api_user,
    fetch,
    free_port,
    manage,
    server_env,
    shipped_server,
)

pytestmark = pytest.mark.live  # starts servers: the full suite only (pyproject.toml)


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


def test_a_chunked_body_is_refused_not_taken_for_an_empty_one(server):
    connection = HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(
            "POST",
            "/api/",
            body=iter([b'{"title": "Chunked", ', b'"release_date": "1999-09-15"}']),
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        status, body = response.status, json.loads(response.read())
    finally:
        connection.close()

    assert status == HTTPStatus.LENGTH_REQUIRED
    assert body == {"detail": "A request body needs a Content-Length header (no chunked bodies)."}
    _, _, listed = fetch(f"{server.url}/api/?search=Chunked")
    assert json.loads(listed) == []


def test_sigterm_stops_the_server_cleanly(server):
    server.process.send_signal(signal.SIGTERM)

    assert server.process.wait(timeout=30) == 0


def test_signing_in_while_the_database_is_down_is_a_503(tmp_path):
    env = server_env(f"postgres://postgres@127.0.0.1:{free_port()}/gone", tmp_path)
    env["DJANGO_STATIC_ROOT"] = str(collected_static(env))
    down = Gunicorn(env, tmp_path / "gunicorn.log")
    try:
        session = requests.Session()
        page = session.get(f"{down.url}/api/auth/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

        signed_in = session.post(
            f"{down.url}/api/auth/login/",
            data={"username": "alice", "password": "whatever", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{down.url}/api/auth/login/"},
            timeout=30,
        )
        token_answer = session.post(
            f"{down.url}/api/auth/token/", json={"username": "alice", "password": "x"}, timeout=30
        )
    finally:
        down.stop()

    assert signed_in.json() == {"detail": "The database is unavailable; try again shortly."}
    # On PostgreSQL without Redis the token endpoint's limit counts in the database too.
    assert token_answer.json() == {
        "detail": "The rate-limit store is unavailable; try again shortly."
    }
    for response in (signed_in, token_answer):
        assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert response.headers["Retry-After"] == "5"


@pytest.mark.parametrize(("proxy_header", "redirected"), [("0", True), ("1", False)])
def test_x_forwarded_proto_counts_only_when_a_proxy_is_declared(
    tmp_path, proxy_header, redirected
):
    env = server_env(
        f"sqlite:///{tmp_path / 'db.sqlite3'}",
        tmp_path,
        DJANGO_HTTPS="1",
        DJANGO_SECURE_PROXY_SSL_HEADER=proxy_header,
    )
    manage(env, "migrate", "-v0")
    https = Gunicorn(env, tmp_path / "gunicorn.log")
    connection = HTTPConnection("127.0.0.1", https.port, timeout=30)
    try:
        connection.request("GET", "/api/", headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        status, headers = response.status, response.headers
    finally:
        connection.close()
        https.stop()

    if redirected:
        assert status == HTTPStatus.MOVED_PERMANENTLY
        assert headers["Location"] == f"https://127.0.0.1:{https.port}/api/"
    else:
        assert status == HTTPStatus.OK
        assert "Strict-Transport-Security" in headers
