from datetime import date
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from movies.models import Movie
from movies.tests.factories import make_movie, movie_rows

pytestmark = pytest.mark.django_db


def detail(movie_id):
    return reverse("movie-detail", args=[movie_id])


def test_retrieve_takes_one_query(anon_client, django_assert_num_queries):
    movie = make_movie("Inception", date(2010, 7, 16))

    with django_assert_num_queries(1):
        response = anon_client.get(detail(movie.id))

    assert response.json()["title"] == "Inception"


def test_put_replaces_title_and_release_date(token_client):
    movie = make_movie("Incepshun", date(2010, 1, 1))

    response = token_client.put(
        detail(movie.id), {"title": "Inception", "release_date": "2010-07-16"}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    assert response.json()["title"] == "Inception"
    movie.refresh_from_db()
    assert (movie.title, movie.release_date) == ("Inception", date(2010, 7, 16))


def test_put_without_every_field_is_rejected(token_client):
    movie = make_movie("Inception")
    before = movie_rows()

    response = token_client.put(detail(movie.id), {"title": "Other"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"release_date": ["This field is required."]}
    assert movie_rows() == before


def test_patch_changes_only_the_given_field(token_client):
    movie = make_movie("Inception", date(2010, 7, 16), watched=True)
    watched_at = movie.watched_at

    response = token_client.patch(detail(movie.id), {"release_date": "2010-07-08"}, format="json")

    assert response.status_code == HTTPStatus.OK
    movie.refresh_from_db()
    assert (movie.title, movie.release_date) == ("Inception", date(2010, 7, 8))
    assert (movie.is_watched, movie.watched_at) == (True, watched_at)


def test_patch_cannot_change_the_watched_state(token_client):
    movie = make_movie("Inception")

    response = token_client.patch(
        detail(movie.id), {"is_watched": True, "watched_at": "2020-01-01T00:00:00Z"}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    assert response.json()["is_watched"] is False
    movie.refresh_from_db()
    assert (movie.is_watched, movie.watched_at) == (False, None)


def test_patch_with_an_invalid_title_changes_nothing(token_client):
    movie = make_movie("Inception")
    before = movie_rows()

    response = token_client.patch(detail(movie.id), {"title": ""}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"title": ["This field may not be blank."]}
    assert movie_rows() == before


def test_delete_removes_the_film(token_client):
    kept, deleted = make_movie("Kept"), make_movie("Deleted")

    response = token_client.delete(detail(deleted.id))

    assert response.json() == {"detail": "Movie has been successfully deleted."}
    assert list(Movie.objects.values_list("id", flat=True)) == [kept.id]


def test_delete_of_an_unknown_film_is_a_404(token_client):
    make_movie()
    before = movie_rows()

    response = token_client.delete(detail(999))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "detail" in response.json()
    assert movie_rows() == before


@pytest.mark.parametrize(
    "path", ["/api/abc/", "/api/1.5/", "/api/-1/", "/api/99999999999999999999/", "/api/%00/"]
)
def test_ids_that_are_not_valid_numbers_are_a_json_404(anon_client, path):
    make_movie()

    response = anon_client.get(path)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("url_name", "method", "allowed"),
    [
        ("movie-detail", "post", {"GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}),
        ("movie-watch", "get", {"POST", "OPTIONS"}),
        ("movie-watch", "delete", {"POST", "OPTIONS"}),
    ],
)
def test_unsupported_method_is_a_405_with_allow(token_client, url_name, method, allowed):
    movie = make_movie()
    before = movie_rows()

    response = getattr(token_client, method)(reverse(url_name, args=[movie.id]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert {m.strip() for m in response["Allow"].split(",")} == allowed
    assert response.json()["detail"] == f'Method "{method.upper()}" not allowed.'
    assert movie_rows() == before


def test_unsupported_method_on_the_list_is_a_405(token_client):
    response = token_client.delete(reverse("movie-list"))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert "POST" in response["Allow"]
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


@pytest.mark.parametrize(
    "query", ["?search=no-such-title", "?is_watched=maybe", "?ordering=bogus"]
)
def test_one_film_is_found_by_its_id_alone_whatever_the_list_filters_say(token_client, query):
    movie = make_movie("Inception")

    read = token_client.get(detail(movie.id) + query)
    changed = token_client.patch(detail(movie.id) + query, {"title": "Memento"}, format="json")
    watched = token_client.post(reverse("movie-watch", args=[movie.id]) + query)

    assert (read.status_code, read.json()["title"]) == (HTTPStatus.OK, "Inception")
    assert (changed.status_code, changed.json()["title"]) == (HTTPStatus.OK, "Memento")
    assert (watched.status_code, watched.json()["is_watched"]) == (HTTPStatus.OK, True)
    movie.refresh_from_db()
    assert (movie.title, movie.is_watched) == ("Memento", True)


def test_watch_takes_the_update_and_one_read(token_client):
    movie = make_movie("Inception")

    with CaptureQueriesContext(connection) as captured:
        response = token_client.post(reverse("movie-watch", args=[movie.id]))

    # The token, the conditional UPDATE, the film's row; with PostgreSQL alone, the write
    # limit's counter is in the database too (a table of the cache, in a savepoint).
    film_queries = [
        q["sql"]
        for q in captured
        if "watchlist_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    assert len(film_queries) == 3, "\n".join(q[:60] for q in film_queries)
    assert film_queries[1].startswith("UPDATE")
    assert response.json()["is_watched"] is True


@pytest.mark.parametrize(
    ("client_name", "method", "route"),
    [
        ("anon_client", "get", "movie-detail"),  # answered early
        ("token_client", "get", "movie-detail"),  # through the viewset
        ("token_client", "put", "movie-detail"),
        ("token_client", "patch", "movie-detail"),
        ("token_client", "delete", "movie-detail"),
        ("token_client", "post", "movie-watch"),
        ("token_client", "post", "movie-unwatch"),
        ("token_client", "get", "movie-watch-legacy"),
        ("token_client", "post", "movie-watch-legacy"),
    ],
)
@pytest.mark.parametrize("missing_id", [10**6, 2**63])
def test_every_film_route_answers_one_404_message(request, client_name, method, route, missing_id):
    client = request.getfixturevalue(client_name)
    make_movie("Inception")
    before = movie_rows()

    response = getattr(client, method)(
        reverse(route, args=[missing_id]),
        {"title": "Memento", "release_date": "2000-10-11"},
        format="json",
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found."}
    assert movie_rows() == before


@pytest.mark.parametrize("method", ["get", "patch", "delete", "post"])
def test_an_id_with_leading_zeros_names_no_film(token_client, method):
    movie = make_movie("Inception")
    before = movie_rows()
    path = f"/api/{movie.id:05d}/" + ("watch/" if method == "post" else "")

    response = getattr(token_client, method)(path, {"title": "Memento"}, format="json")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found."}
    assert movie_rows() == before


def test_patch_of_the_date_moves_the_year(token_client):
    movie = make_movie("Inception", date(2010, 7, 16))

    response = token_client.patch(detail(movie.id), {"release_date": "2011-01-05"}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert (response.json()["release_date"], response.json()["release_year"]) == (
        "2011-01-05",
        2011,
    )
    movie.refresh_from_db()
    assert (movie.release_date, movie.release_year) == (date(2011, 1, 5), 2011)


def test_patch_of_another_year_than_the_dates_is_refused(token_client):
    movie = make_movie("Inception", date(2010, 7, 16))
    before = movie_rows()

    response = token_client.patch(detail(movie.id), {"release_year": 2011}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "release_year": ["release_year must be the year of release_date (2010)."]
    }
    assert movie_rows() == before


def test_patch_keeps_only_the_year_when_the_date_is_cleared(token_client):
    movie = make_movie("Inception", date(2010, 7, 16))

    response = token_client.patch(
        detail(movie.id), {"release_date": None, "release_year": 2010}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    movie.refresh_from_db()
    assert (movie.release_date, movie.release_year) == (None, 2010)


def test_put_takes_a_year_for_a_film_known_only_by_its_year(token_client):
    movie = make_movie("Inception", release_date=None, release_year=2010)

    response = token_client.put(
        detail(movie.id), {"title": "Inception", "release_year": 2009}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    movie.refresh_from_db()
    assert (movie.release_date, movie.release_year) == (None, 2009)


def test_patch_sets_the_rating_and_ids(token_client):
    movie = make_movie("Inception", date(2010, 7, 16))
    fields = {
        "rating": 9,
        "imdb_id": "tt1375666",
        "tmdb_id": 27205,
        "letterboxd_uri": "https://boxd.it/1skk",
    }

    response = token_client.patch(detail(movie.id), fields, format="json")

    assert response.status_code == HTTPStatus.OK
    assert {name: response.json()[name] for name in fields} == fields
    movie.refresh_from_db()
    assert {name: getattr(movie, name) for name in fields} == fields
