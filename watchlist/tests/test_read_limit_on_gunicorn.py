"""The read limit on the real server (DJANGO_THROTTLE_READS): anonymous and signed-in
clients alike get 429 past it, on the list and on a film. Setting it turns the early
anonymous answers off (movies/early_reads.py), so the limit holds for every read.

On the backend the suite runs on: the counters are in diskcache beside a SQLite file, or in
the database cache on PostgreSQL."""

from http import HTTPStatus

import pytest

from watchlist.tests.live import (
    ApiClient,
    Gunicorn,
    address_with_time_left_in_window,
    fresh_database_url,
    manage,
    server_env,
    user_with_time_left_in_window,
)

pytestmark = pytest.mark.live  # starts servers: the full suite only (pyproject.toml)

LIMIT = 2
DAY = 24 * 3600  # a window the test cannot outlast, for clients whose window ends later
READS = ["/api/", "/api/1/"]


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory, static_root):
    tmp_path = tmp_path_factory.mktemp("read-limit")
    database_url, cleanup = fresh_database_url(tmp_path)
    env = server_env(
        database_url,
        tmp_path,
        DJANGO_THROTTLE_READS=f"{LIMIT}/day",
        DJANGO_STATIC_ROOT=str(static_root),
    )
    manage(env, "migrate", "-v0")
    manage(env, "load_sample_movies", "-v0")
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    yield server
    server.stop()
    if cleanup:
        cleanup()


def anonymous_client(server):
    """Known by its address."""
    return ApiClient(server.url, source_address=address_with_time_left_in_window(DAY, 600))


def signed_in_client(server):
    """Known by its user."""
    return ApiClient(server.url, user_with_time_left_in_window(server.env, DAY, 600))


@pytest.mark.parametrize("make_client", [anonymous_client, signed_in_client])
def test_reads_past_the_limit_get_429_on_every_read_route(limited_server, make_client):
    client = make_client(limited_server)

    allowed = [client.request("GET", path) for path in READS[:LIMIT]]
    refused = [client.request("GET", path) for path in READS]

    assert [status for status, _, _ in allowed] == [HTTPStatus.OK] * LIMIT
    assert allowed[0][1][0]["title"] == "Fight Club"
    assert allowed[1][1]["id"] == 1
    for (status, data, response), path in zip(refused, READS, strict=True):
        assert status == HTTPStatus.TOO_MANY_REQUESTS, path
        assert response.getheader("Content-Type") == "application/json", path
        assert data["detail"].startswith("Request was throttled. Expected available in "), path
        assert 0 < int(response.getheader("Retry-After")) <= DAY, path
