"""A Python client generated from the API's own schema works as it is generated.

openapi-python-client (pinned in requirements-dev.txt) turns the schema that the server
serves into a package; the package is imported from a temporary folder and drives the
whole life of a film against the project under gunicorn, as a team consuming the API
would use it.
"""

import datetime
import importlib
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest

from watchlist.tests.live import fetch, shipped_server

pytestmark = pytest.mark.live  # starts servers: the full suite only (pyproject.toml)

PACKAGE = "watchlist_api_client"
PASSWORD = "a-long-client-password"
USER = f"""
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("reviewer", password="{PASSWORD}")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    gunicorn = shipped_server(tmp_path_factory.mktemp("generated-client"), USER)
    yield gunicorn
    gunicorn.stop()


@pytest.fixture(scope="module")
def api(server, tmp_path_factory):
    """The generated package, imported: its modules by name (`api.list_films`, ...)."""
    folder = tmp_path_factory.mktemp("generated")
    status, _, schema = fetch(f"{server.url}/api/schema/?format=json")
    assert status == HTTPStatus.OK
    (folder / "openapi.json").write_bytes(schema)
    # No formatting hooks: the code runs as generated.
    (folder / "config.yaml").write_text("post_hooks: []\n")
    subprocess.run(
        [
            Path(sys.executable).with_name("openapi-python-client"),
            "generate",
            "--path",
            folder / "openapi.json",
            "--config",
            folder / "config.yaml",
            "--meta",
            "none",
            "--output-path",
            folder / PACKAGE,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(folder))
    try:
        yield Generated(server.url)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


class Generated:
    """The generated package's clients, models and operations."""

    def __init__(self, base_url):
        package = importlib.import_module(PACKAGE)
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.public = package.Client(base_url=base_url, raise_on_unexpected_status=True)
        self.base_url = base_url
        self.client_class = package.AuthenticatedClient

    def __getattr__(self, operation):
        return importlib.import_module(f"{PACKAGE}.api.api.{operation}")

    def signed_in(self, token):
        return self.client_class(
            base_url=self.base_url, token=token, prefix="Token", raise_on_unexpected_status=True
        )


def test_a_film_lives_its_whole_life_through_the_generated_client(api):
    models = api.models
    token = api.get_token.sync(
        client=api.public, body=models.CredentialsRequest(username="reviewer", password=PASSWORD)
    ).token
    me = api.signed_in(token)

    before = api.list_films.sync(client=api.public)
    created = api.add_film.sync_detailed(
        client=me, body=models.MovieRequest(title="Memento", release_date=971222400)
    )
    film = created.parsed
    assert created.status_code == HTTPStatus.CREATED
    assert created.headers["Location"] == f"{api.base_url}/api/{film.id}/"
    assert (film.title, film.release_date, film.is_watched) == (
        "Memento",
        datetime.date(2000, 10, 11),
        False,
    )
    assert [m.title for m in api.list_films.sync(client=api.public)] == [
        *(m.title for m in before),
        "Memento",
    ]

    got = api.get_film.sync(film.id, client=api.public)
    assert got.to_dict() == film.to_dict()

    replaced = api.replace_film.sync(
        film.id,
        client=me,
        body=models.MovieRequest(title="Memento (2000)", release_date=datetime.date(2000, 9, 5)),
    )
    assert (replaced.title, replaced.release_date) == ("Memento (2000)", datetime.date(2000, 9, 5))

    changed = api.change_film.sync(
        film.id, client=me, body=models.PatchedMovieRequest(title="Memento")
    )
    assert (changed.title, changed.release_date) == ("Memento", datetime.date(2000, 9, 5))

    watched = api.watch_film.sync(film.id, client=me)
    assert watched.is_watched is True
    assert watched.watched_at.tzinfo is not None

    again = api.watch_film.sync_detailed(film.id, client=me)
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.parsed.detail == "Movie has already been watched."

    unwatched = api.unwatch_film.sync(film.id, client=me)
    assert (unwatched.is_watched, unwatched.watched_at) == (False, None)

    deleted = api.delete_film.sync(film.id, client=me)
    assert deleted.detail == "Movie has been successfully deleted."

    gone = api.get_film.sync_detailed(film.id, client=api.public)
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert gone.parsed.detail == "Not found."
    assert [m.title for m in api.list_films.sync(client=api.public)] == [m.title for m in before]


def test_the_generated_client_sorts_filters_and_pages(api):
    order = api.models.ListFilmsOrderingItem

    films = api.list_films.sync(
        client=api.public,
        ordering=[order.RELEASE_DATE_DESC, order.TITLE],
        is_watched=False,
        page_size=2,
    )
    second = api.list_films.sync_detailed(
        client=api.public, ordering=[order.RELEASE_DATE_DESC, order.TITLE], page=2, page_size=2
    )

    assert [film.title for film in films] == ["Inception", "Donnie Darko"]
    assert [film.title for film in second.parsed] == ["Fight Club", "The Matrix"]
    assert 'rel="prev"' in second.headers["Link"]


def test_the_generated_client_revalidates_with_the_etag(api):
    film = api.list_films.sync(client=api.public)[0]
    first = api.get_film.sync_detailed(film.id, client=api.public)

    again = api.get_film.sync_detailed(
        film.id, client=api.public, if_none_match=first.headers["ETag"]
    )

    assert first.status_code == HTTPStatus.OK
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    assert again.parsed is None


def test_an_invalid_film_is_refused_with_a_message_per_field(api):
    token = api.get_token.sync(
        client=api.public,
        body=api.models.CredentialsRequest(username="reviewer", password=PASSWORD),
    ).token

    refused = api.add_film.sync_detailed(
        client=api.signed_in(token),
        body=api.models.MovieRequest(title=" ", release_date=-1.0),
    )

    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert refused.parsed.additional_properties == {
        "title": ["This field may not be blank."],
        "release_date": ["A timestamp must be between 0 and 253402300799 seconds."],
    }
