"""The Flask app's routes, spelled out on purpose: existing clients call these exact URLs."""

from http import HTTPStatus

import pytest

from movies.models import Movie
from movies.tests.conftest import SAMPLE_TITLES
from movies.tests.factories import movie_rows

# The Flask app's keys, with the same values for films made through its routes; films have
# more fields now (release_year, rating, ids...), which its clients are free to ignore.
MOVIE_KEYS = {"id", "title", "release_date", "is_watched", "watched_at"}
# 1999-09-15T00:00:00Z, as the Flask app's form clients send release dates.
FIGHT_CLUB_TIMESTAMP = "937353600"

pytestmark = pytest.mark.django_db


def test_index_answers_the_flask_keys_and_links(anon_client):
    response = anon_client.get("/")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["name"] == "watchlist"
    assert body["description"]
    assert isinstance(body["version"], float)
    assert body["links"]["api"] == "http://testserver/api/"
    assert body["links"]["docs"] == "http://testserver/api/docs/"
    assert body["links"]["schema"] == "http://testserver/api/schema/"
    assert body["links"]["admin"] == "http://testserver/admin/"


def test_list_is_a_json_array_of_flask_shaped_movies(anon_client, samples):
    response = anon_client.get("/api/")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert [movie["title"] for movie in body] == SAMPLE_TITLES
    assert all(set(movie) >= MOVIE_KEYS for movie in body)
    assert {key: body[0][key] for key in MOVIE_KEYS} == {
        "id": samples[0].id,
        "title": "Fight Club",
        "release_date": "1999-09-15",
        "is_watched": False,
        "watched_at": None,
    }


def test_create_with_flask_form_fields_and_timestamp(token_client):
    response = token_client.post(
        "/api/create/", {"title": "Fight Club", "release_date": FIGHT_CLUB_TIMESTAMP}
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["release_date"] == "1999-09-15"
    movie = Movie.objects.get(pk=response.json()["id"])
    assert (movie.title, movie.release_date.isoformat()) == ("Fight Club", "1999-09-15")


def test_create_with_a_missing_field_answers_the_flask_message(token_client):
    response = token_client.post("/api/create/", {"title": "Fight Club"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "detail": "Please provide the title and release_date.",
        "release_date": ["This field is required."],
    }
    assert not Movie.objects.exists()


def test_create_alias_validates_like_the_main_route(token_client):
    response = token_client.post("/api/create/", {"title": " ", "release_date": "1999-02-30"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()) == {"detail", "title", "release_date"}
    assert not Movie.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "Fight Club", "release_date": "yesterday"}, "release_date", "YYYY-MM-DD"),
        ({"title": "Fight Club", "release_date": "-5"}, "release_date", "between 0 and"),
        ({"title": "", "release_date": FIGHT_CLUB_TIMESTAMP}, "title", "may not be blank"),
        ({"title": "x" * 129, "release_date": FIGHT_CLUB_TIMESTAMP}, "title", "128 characters"),
        ({"release_date": FIGHT_CLUB_TIMESTAMP}, "title", "This field is required."),
    ],
)
def test_every_invalid_create_answers_the_flask_message_beside_the_fields(
    token_client, body, field, message
):
    response = token_client.post("/api/create/", body)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    answer = response.json()
    assert answer["detail"] == "Please provide the title and release_date."
    assert message in answer[field][0]
    assert set(answer) == {"detail", field}
    assert not Movie.objects.exists()


def test_a_json_body_that_is_not_an_object_answers_the_flask_message(token_client):
    response = token_client.post("/api/create/", "[1, 2]", content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["detail"] == "Please provide the title and release_date."
    assert response.json()["non_field_errors"][0].startswith("Invalid data.")
    assert not Movie.objects.exists()


def test_detail_answers_one_movie(anon_client, samples):
    response = anon_client.get(f"/api/{samples[1].id}/")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["title"] == "The Matrix"
    assert set(response.json()) >= MOVIE_KEYS


def test_delete_answers_the_flask_message(token_client, samples):
    response = token_client.delete(f"/api/{samples[0].id}/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"detail": "Movie has been successfully deleted."}
    assert not Movie.objects.filter(pk=samples[0].id).exists()
    assert Movie.objects.count() == 3


def test_unknown_id_is_a_json_404(anon_client, samples):
    response = anon_client.get("/api/999/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_watch_by_get_with_a_token_as_flask_clients_call_it(token_client, samples):
    response = token_client.get(f"/api/watch/{samples[2].id}/")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["is_watched"] is True
    assert response.json()["watched_at"].endswith("Z")
    samples[2].refresh_from_db()
    assert samples[2].is_watched
    assert samples[2].watched_at is not None


def test_watch_twice_by_get_answers_the_flask_400(token_client, samples):
    token_client.get(f"/api/watch/{samples[2].id}/")
    before = movie_rows()

    response = token_client.get(f"/api/watch/{samples[2].id}/")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": "Movie has already been watched."}
    assert movie_rows() == before


def test_watch_by_post_on_the_flask_route(token_client, samples):
    response = token_client.post(f"/api/watch/{samples[0].id}/")

    assert response.status_code == HTTPStatus.OK
    assert Movie.objects.get(pk=samples[0].id).is_watched


def test_flask_watch_route_of_an_unknown_film_is_a_json_404(token_client, samples):
    response = token_client.get("/api/watch/999/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "detail" in response.json()
    assert not Movie.objects.watched().exists()
