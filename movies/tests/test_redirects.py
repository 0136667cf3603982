"""A URL without its trailing slash: 308 to the URL with it, so clients repeat the same
method and body there (a 301 made them send a GET: writes were lost)."""

import json
from http import HTTPStatus

import pytest

from movies.models import Movie
from movies.tests.factories import make_movie, movie_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/create"),
        ("post", "/api"),
        ("put", "/api/{id}"),
        ("patch", "/api/{id}"),
        ("delete", "/api/{id}"),
        ("post", "/api/{id}/watch"),
        ("post", "/api/watch/{id}"),
        ("get", "/api/{id}"),
        ("get", "/api"),
        ("post", "/api/auth/token"),
    ],
)
def test_a_url_without_its_slash_answers_308_and_changes_nothing(token_client, method, path):
    film = make_movie("Inception")
    before = movie_rows()
    url = path.format(id=film.id)

    body = {} if method == "get" else {"data": {"title": "Memento"}, "format": "json"}

    response = getattr(token_client, method)(f"{url}?page_size=5", **body)

    assert response.status_code == HTTPStatus.PERMANENT_REDIRECT
    assert response["Location"] == f"{url}/?page_size=5"
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "detail": f"This URL ends with a slash: {url}/?page_size=5"
    }
    assert movie_rows() == before


def test_a_write_followed_through_the_redirect_keeps_its_method_and_body(token_client):
    response = token_client.post(
        "/api/create", {"title": "Memento", "release_date": "971222400"}, follow=True
    )

    assert response.redirect_chain == [("/api/create/", HTTPStatus.PERMANENT_REDIRECT)]
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["title"] == "Memento"
    assert Movie.objects.get().release_date.isoformat() == "2000-10-11"


def test_a_delete_followed_through_the_redirect_deletes(token_client):
    film = make_movie("Inception")

    response = token_client.delete(f"/api/{film.id}", follow=True)

    assert response.json() == {"detail": "Movie has been successfully deleted."}
    assert not Movie.objects.exists()


def test_a_post_is_redirected_in_debug_mode_too(token_client, settings):
    # Django refuses to 301 a POST in debug mode (its body would be lost); a 308 keeps it.
    settings.DEBUG = True

    response = token_client.post("/api/create", {"title": "Memento"}, format="json")

    assert response.status_code == HTTPStatus.PERMANENT_REDIRECT
    assert response["Location"] == "/api/create/"


def test_pages_outside_the_api_redirect_with_308_too(client):
    response = client.get("/admin")

    assert response.status_code == HTTPStatus.PERMANENT_REDIRECT
    assert response["Location"] == "/admin/"
    assert not response["Content-Type"].startswith("application/json")


def test_an_unknown_url_without_a_slash_is_still_a_404(anon_client):
    response = anon_client.post("/api/nope", {}, format="json")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found."}
