"""Reads are public; every write needs a user, and a browser session needs its CSRF token."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from knox.crypto import hash_token
from knox.models import AuthToken

from movies.models import Movie
from movies.tests.factories import make_movie, movie_rows

pytestmark = pytest.mark.django_db

NEW_FILM = {"title": "Inception", "release_date": "2010-07-16"}


def writes(movie_id):
    return [
        ("post", reverse("movie-list"), NEW_FILM),
        ("post", reverse("movie-create-legacy"), NEW_FILM),
        ("put", reverse("movie-detail", args=[movie_id]), NEW_FILM),
        ("patch", reverse("movie-detail", args=[movie_id]), {"title": "Changed"}),
        ("delete", reverse("movie-detail", args=[movie_id]), None),
        ("post", reverse("movie-watch", args=[movie_id]), None),
        ("post", reverse("movie-unwatch", args=[movie_id]), None),
        ("post", reverse("movie-watch-legacy", args=[movie_id]), None),
    ]


def test_anonymous_writes_are_refused_and_change_nothing(anon_client):
    movie = make_movie("Fight Club")
    before = movie_rows()

    for method, url, data in writes(movie.id):
        response = getattr(anon_client, method)(url, data, format="json")

        assert response.status_code == HTTPStatus.UNAUTHORIZED, (method, url)
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert response["WWW-Authenticate"] == "Token"
    assert movie_rows() == before


def test_anonymous_reads_are_allowed(anon_client):
    movie = make_movie("Fight Club")

    assert anon_client.get(reverse("movie-list")).json()[0]["id"] == movie.id
    assert anon_client.get(reverse("movie-detail", args=[movie.id])).json()["id"] == movie.id


def test_invalid_token_is_refused(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = anon_client.post(reverse("movie-list"), NEW_FILM, format="json")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"detail": "Invalid token."}
    assert not Movie.objects.exists()


def test_session_write_without_csrf_token_is_refused(session_client):
    response = session_client.post(reverse("movie-list"), NEW_FILM, format="json")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "CSRF" in response.json()["detail"]
    assert not Movie.objects.exists()


def test_session_write_with_csrf_token_is_accepted(session_client):
    session_client.get(reverse("movie-list"), HTTP_ACCEPT="text/html")

    response = session_client.post(
        reverse("movie-list"),
        NEW_FILM,
        format="json",
        HTTP_X_CSRFTOKEN=session_client.cookies["csrftoken"].value,
    )

    assert response.status_code == HTTPStatus.CREATED
    assert Movie.objects.get().title == "Inception"


def test_user_obtains_a_token_with_username_and_password(anon_client, user):
    response = anon_client.post(
        reverse("api-token"),
        {"username": "viewer", "password": "a-long-test-password"},
        format="json",
    )

    assert response.status_code == HTTPStatus.OK
    token = response.json()["token"]
    assert AuthToken.objects.get(user=user).digest == hash_token(token)


def test_token_request_with_a_wrong_password_is_refused(anon_client, user):
    response = anon_client.post(
        reverse("api-token"), {"username": "viewer", "password": "wrong"}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["non_field_errors"]
    assert not AuthToken.objects.exists()
