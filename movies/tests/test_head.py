"""HEAD answers as GET does, without the body, and changes nothing anywhere."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from movies.tests.factories import make_movie, movie_rows

pytestmark = pytest.mark.django_db

SAME_HEADERS = ("Content-Type", "Content-Length", "ETag", "Cache-Control", "Vary", "Allow")


@pytest.mark.parametrize("path", ["/", "/api/", "/api/{id}/", "/api/?search=inc", "/api/schema/"])
@pytest.mark.parametrize("credentials", ["anonymous", "token"])
def test_head_answers_the_headers_of_get_and_no_body(anon_client, token_client, path, credentials):
    client = anon_client if credentials == "anonymous" else token_client
    url = path.format(id=make_movie("Inception").id)

    got = client.get(url)
    head = client.head(url)

    assert head.status_code == got.status_code == HTTPStatus.OK
    for name in SAME_HEADERS:
        assert head.get(name) == got.get(name), name
    assert head.content == b""


@pytest.mark.parametrize("path", ["/api/docs/", "/api/auth/login/", "/admin/login/"])
def test_head_of_a_page_answers_like_its_get(client, path):
    got = client.get(path)
    head = client.head(path)

    assert head.status_code == got.status_code == HTTPStatus.OK
    assert head["Content-Type"] == got["Content-Type"]
    assert head.content == b""


def test_head_on_the_flask_watch_route_is_refused_and_changes_nothing(token_client):
    film = make_movie("Inception")
    before = movie_rows()

    response = token_client.head(reverse("movie-watch-legacy", args=[film.id]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "GET, POST, OPTIONS"
    assert movie_rows() == before


def test_head_on_a_write_only_route_is_refused_and_changes_nothing(token_client):
    film = make_movie("Inception")
    before = movie_rows()

    response = token_client.head(reverse("movie-watch", args=[film.id]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert "HEAD" not in response["Allow"]
    assert movie_rows() == before


def test_a_conditional_head_answers_304(anon_client):
    url = reverse("movie-detail", args=[make_movie("Inception").id])
    etag = anon_client.get(url)["ETag"]

    response = anon_client.head(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == HTTPStatus.NOT_MODIFIED
    assert response["ETag"] == etag
