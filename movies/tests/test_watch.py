from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from movies.models import Movie
from movies.tests.factories import make_movie, movie_rows

pytestmark = pytest.mark.django_db


def test_watch_marks_the_film_watched_now(token_client):
    movie = make_movie("Inception")
    before = timezone.now()

    response = token_client.post(reverse("movie-watch", args=[movie.id]))

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["is_watched"] is True
    watched_at = parse_datetime(body["watched_at"])
    assert watched_at.utcoffset() == timedelta(0)
    assert before <= watched_at <= timezone.now()
    movie.refresh_from_db()
    assert (movie.is_watched, movie.watched_at) == (True, watched_at)


def test_watch_is_one_update_statement(token_client):
    movie = make_movie("Inception")

    with CaptureQueriesContext(connection) as captured:
        token_client.post(reverse("movie-watch", args=[movie.id]))

    # Beside the token lookup and the throttle's counter: one UPDATE decides, one SELECT
    # reads the film back for the answer.
    on_movies = [q["sql"] for q in captured.captured_queries if '"movies_movie"' in q["sql"]]
    assert len(on_movies) == 2
    assert on_movies[0].startswith('UPDATE "movies_movie"')
    assert on_movies[1].startswith("SELECT")


def test_watch_twice_is_rejected_and_keeps_the_first_time(token_client):
    movie = make_movie("Inception")
    token_client.post(reverse("movie-watch", args=[movie.id]))
    before = movie_rows()

    response = token_client.post(reverse("movie-watch", args=[movie.id]))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": "Movie has already been watched."}
    assert movie_rows() == before


def test_unwatch_clears_watched_at(token_client):
    movie = make_movie("Inception", watched=True)

    response = token_client.post(reverse("movie-unwatch", args=[movie.id]))

    assert response.status_code == HTTPStatus.OK
    assert response.json()["is_watched"] is False
    assert response.json()["watched_at"] is None
    movie.refresh_from_db()
    assert (movie.is_watched, movie.watched_at) == (False, None)


def test_unwatch_of_an_unwatched_film_is_rejected(token_client):
    movie = make_movie("Inception")
    before = movie_rows()

    response = token_client.post(reverse("movie-unwatch", args=[movie.id]))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": "Movie has not been watched."}
    assert movie_rows() == before


@pytest.mark.parametrize("url_name", ["movie-watch", "movie-unwatch", "movie-watch-legacy"])
def test_watch_state_change_of_an_unknown_film_is_a_404(token_client, url_name):
    make_movie()
    before = movie_rows()

    response = token_client.post(reverse(url_name, args=[999]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["detail"]
    assert movie_rows() == before


def test_watch_changes_only_the_given_film(token_client):
    movie, other = make_movie(), make_movie()

    token_client.post(reverse("movie-watch", args=[movie.id]))

    assert list(Movie.objects.watched()) == [movie]
    assert list(Movie.objects.unwatched()) == [other]


def test_session_user_can_watch_by_post_with_a_csrf_token(session_client):
    movie = make_movie()
    session_client.get(reverse("movie-list"), HTTP_ACCEPT="text/html")
    csrf_token = session_client.cookies["csrftoken"].value

    response = session_client.post(
        reverse("movie-watch-legacy", args=[movie.id]), HTTP_X_CSRFTOKEN=csrf_token
    )

    assert response.status_code == HTTPStatus.OK
    assert Movie.objects.get().is_watched


def test_session_user_cannot_watch_by_get_on_the_flask_route(session_client):
    movie = make_movie()

    response = session_client.get(reverse("movie-watch-legacy", args=[movie.id]))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "token" in response.json()["detail"]
    assert not Movie.objects.get().is_watched


def test_anonymous_get_on_the_flask_watch_route_changes_nothing(anon_client):
    movie = make_movie()

    response = anon_client.get(reverse("movie-watch-legacy", args=[movie.id]))

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Token"
    assert not Movie.objects.get().is_watched
