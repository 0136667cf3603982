"""The token migration during a rollout, on real servers: the previous release's server
keeps serving while the new release's migration runs (a Kubernetes migration Job), and
must answer its clients' old tokens with a 401, never a 500, until it is replaced; the new
release's server accepts them."""

from http import HTTPStatus

import pytest

from watchlist.tests.live import ApiClient, Gunicorn, fresh_database_url, manage, server_env

pytestmark = pytest.mark.live  # starts servers: the full suite only (pyproject.toml)

NEW_FILM = {"title": "Memento", "release_date": "2000-10-11"}


def test_old_tokens_are_refused_by_old_servers_and_accepted_by_new_ones(tmp_path):
    database_url, cleanup = fresh_database_url(tmp_path)
    previous = server_env(
        database_url, tmp_path, DJANGO_SETTINGS_MODULE="accounts.tests.previous_release_settings"
    )
    current = server_env(database_url, tmp_path)
    servers = []
    try:
        manage(previous, "migrate", "-v0")
        manage(previous, "shell", "-v0", "-c", CREATE_USER)
        # "Generated token <key> for user alice"
        old_token = manage(previous, "drf_create_token", "alice").split()[2]
        servers.append(Gunicorn(previous, tmp_path / "previous.log", workers=1))
        old_server = ApiClient(servers[0].url, old_token)
        assert old_server.request("POST", "/api/", NEW_FILM)[0] == HTTPStatus.CREATED

        manage(current, "migrate", "-v0")  # while the previous release serves

        # A new connection: the last one may have outlived gunicorn's keep-alive meanwhile.
        old_server = ApiClient(servers[0].url, old_token)
        status, data, response = old_server.request("POST", "/api/", NEW_FILM)
        assert (status, data) == (HTTPStatus.UNAUTHORIZED, {"detail": "Invalid token."})
        assert response.getheader("WWW-Authenticate") == "Token"
        servers.append(Gunicorn(current, tmp_path / "current.log", workers=1))
        status, data, _ = ApiClient(servers[1].url, old_token).request("POST", "/api/", NEW_FILM)
        assert status == HTTPStatus.CREATED
        assert [m["title"] for m in ApiClient(servers[1].url).all_movies()] == ["Memento"] * 2
    finally:
        for server in servers:
            server.stop()
        if cleanup:
            cleanup()


CREATE_USER = (
    "from django.contrib.auth import get_user_model; get_user_model().objects.create_user('alice')"
)
