import json
from http import HTTPStatus

import pytest
from django.urls import reverse

from movies.models import Movie
from movies.tests.factories import movie_rows

pytestmark = pytest.mark.django_db

URL = "movie-list"


@pytest.mark.parametrize("content_format", ["json", "multipart"])
def test_create_accepts_json_and_multipart(token_client, content_format):
    response = token_client.post(
        reverse(URL), {"title": "Inception", "release_date": "2010-07-16"}, format=content_format
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["title"] == "Inception"
    assert Movie.objects.get().release_date.isoformat() == "2010-07-16"


def test_create_accepts_form_encoded(token_client):
    response = token_client.post(
        reverse(URL),
        "title=Inception&release_date=2010-07-16",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == HTTPStatus.CREATED
    assert Movie.objects.get().title == "Inception"


def test_create_answers_the_movie_with_its_location(token_client):
    response = token_client.post(
        reverse(URL), {"title": "Inception", "release_date": "2010-07-16"}, format="json"
    )

    movie = Movie.objects.get()
    assert response.status_code == HTTPStatus.CREATED
    assert response.json() == {
        "id": movie.id,
        "title": "Inception",
        "release_date": "2010-07-16",
        "release_year": 2010,
        "is_watched": False,
        "watched_at": None,
        "watched_on": None,
        "rating": None,
        "imdb_id": None,
        "tmdb_id": None,
        "letterboxd_uri": None,
    }
    assert response["Location"] == f"http://testserver/api/{movie.id}/"


def test_the_flask_create_route_answers_the_location_too(token_client):
    response = token_client.post(
        "/api/create/", {"title": "Inception", "release_date": "1279238400"}
    )

    movie = Movie.objects.get()
    assert response.status_code == HTTPStatus.CREATED
    assert response["Location"] == f"http://testserver/api/{movie.id}/"
    assert token_client.get(response["Location"]).json() == response.json()


@pytest.mark.parametrize(
    ("release_date", "expected"),
    [
        (937353600, "1999-09-15"),  # an integer timestamp
        (937353600.5, "1999-09-15"),  # a float, as the Flask app parsed it
        ("937353600", "1999-09-15"),  # a numeric string, as forms send it
        ("9.373536e8", "1999-09-15"),  # with an exponent, as some clients write floats
        (937439999, "1999-09-15"),  # 23:59:59 UTC: the date is read in UTC
        (10_000, "1970-01-01"),  # the first number not taken for a year
        ("1999-09-15", "1999-09-15"),
    ],
)
def test_release_date_as_iso_date_or_unix_timestamp(token_client, release_date, expected):
    response = token_client.post(
        reverse(URL), {"title": "Fight Club", "release_date": release_date}, format="json"
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["release_date"] == expected
    assert Movie.objects.get().release_date.isoformat() == expected


@pytest.mark.parametrize(
    "release_date",
    ["1999-02-30", "yesterday", "", -1, "-5", 10**20, 1e300, True, "1999-09-15T10:00:00", "nan"],
)
def test_invalid_release_date_is_rejected(token_client, release_date):
    response = token_client.post(
        reverse(URL), {"title": "Fight Club", "release_date": release_date}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["release_date"][0]
    assert not Movie.objects.exists()


def test_timestamp_that_overflows_to_infinity_is_rejected(token_client):
    response = token_client.post(
        reverse(URL),
        '{"title": "Fight Club", "release_date": 1e400}',
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "release_date": ["Enter a date as YYYY-MM-DD or a UNIX timestamp in seconds."]
    }
    assert not Movie.objects.exists()


def test_non_finite_timestamp_is_rejected(token_client):
    response = token_client.post(
        reverse(URL),
        '{"title": "Fight Club", "release_date": NaN}',
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "detail" in response.json()
    assert not Movie.objects.exists()


def test_title_is_trimmed(token_client):
    response = token_client.post(
        reverse(URL), {"title": "  Inception \n", "release_date": "2010-07-16"}, format="json"
    )

    assert response.status_code == HTTPStatus.CREATED
    assert Movie.objects.get().title == "Inception"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "This field may not be blank."),
        ("   ", "This field may not be blank."),
        ("x" * 129, "Ensure this field has no more than 128 characters."),
        ("nul\x00byte", "Null characters are not allowed."),
    ],
)
def test_invalid_title_is_rejected(token_client, title, message):
    response = token_client.post(
        reverse(URL), {"title": title, "release_date": "2010-07-16"}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"title": [message]}
    assert not Movie.objects.exists()


def test_title_of_128_characters_is_accepted(token_client):
    response = token_client.post(
        reverse(URL), {"title": "x" * 128, "release_date": "2010-07-16"}, format="json"
    )

    assert response.status_code == HTTPStatus.CREATED
    assert Movie.objects.get().title == "x" * 128


def test_missing_fields_get_a_message_each(token_client):
    response = token_client.post(reverse(URL), {}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "title": ["This field is required."],
        "release_date": ["This field is required."],
    }
    assert not Movie.objects.exists()


def test_watched_state_sent_on_create_is_ignored(token_client):
    response = token_client.post(
        reverse(URL),
        {
            "title": "Inception",
            "release_date": "2010-07-16",
            "is_watched": True,
            "watched_at": "2020-01-01T00:00:00Z",
        },
        format="json",
    )

    assert response.status_code == HTTPStatus.CREATED
    movie = Movie.objects.get()
    assert (movie.is_watched, movie.watched_at) == (False, None)


def test_malformed_json_is_rejected(token_client):
    response = token_client.post(
        reverse(URL), '{"title": "Inception",', content_type="application/json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["detail"].startswith("JSON parse error")
    assert not Movie.objects.exists()


def test_unsupported_content_type_is_a_415(token_client):
    response = token_client.post(reverse(URL), "<movie/>", content_type="application/xml")

    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert "application/xml" in response.json()["detail"]
    assert not Movie.objects.exists()


def test_unicode_titles_round_trip_exactly(token_client):
    title = "Amélie 🎬 فيلم"

    created = token_client.post(
        reverse(URL), {"title": title, "release_date": "2001-04-25"}, format="json"
    )
    fetched = token_client.get(reverse("movie-detail", args=[created.json()["id"]]))

    assert fetched.json()["title"] == title
    assert json.loads(fetched.content)["title"] == title
    assert Movie.objects.get().title == title


@pytest.mark.parametrize("title", [0, 1.5, True, ["Inception"], {"name": "Inception"}, None])
def test_a_title_that_is_not_text_is_rejected(token_client, title):
    response = token_client.post(
        reverse(URL), {"title": title, "release_date": "2010-07-16"}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["title"][0]
    assert not Movie.objects.exists()


def test_a_title_over_128_characters_as_sent_is_rejected_even_if_trimming_shortens_it(
    token_client,
):
    response = token_client.post(
        reverse(URL), {"title": " " + "x" * 128, "release_date": "2010-07-16"}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"title": ["Ensure this field has no more than 128 characters."]}
    assert not Movie.objects.exists()


@pytest.mark.parametrize("release_date", ["2000", 2000, 1999.0, "1"])
def test_a_year_sent_as_release_date_is_refused_not_read_as_1970(token_client, release_date):
    response = token_client.post(
        reverse(URL), {"title": "Memento", "release_date": release_date}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    message = response.json()["release_date"][0]
    assert message.endswith("is not a date: send a year as release_year, a date as YYYY-MM-DD.")
    assert not Movie.objects.exists()


def test_the_flask_route_still_reads_any_number_as_a_timestamp(token_client):
    response = token_client.post("/api/create/", {"title": "Memento", "release_date": "2000"})

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["release_date"] == "1970-01-01"
    assert Movie.objects.get().release_date.isoformat() == "1970-01-01"


def test_a_film_known_only_by_its_year(token_client):
    response = token_client.post(
        reverse(URL), {"title": "Memento", "release_year": 2000}, format="json"
    )

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert (body["release_date"], body["release_year"]) == (None, 2000)
    film = Movie.objects.get()
    assert (film.release_date, film.release_year) == (None, 2000)
    assert str(film) == "Memento (2000)"


def test_the_year_follows_the_date(token_client):
    response = token_client.post(
        reverse(URL), {"title": "Memento", "release_date": "2000-10-11"}, format="json"
    )

    assert response.json()["release_year"] == 2000
    assert Movie.objects.get().release_year == 2000


def test_a_year_other_than_the_dates_is_refused(token_client):
    response = token_client.post(
        reverse(URL),
        {"title": "Memento", "release_date": "2000-10-11", "release_year": 2001},
        format="json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "release_year": ["release_year must be the year of release_date (2000)."]
    }
    assert not Movie.objects.exists()


def test_a_null_date_needs_a_year(token_client):
    response = token_client.post(
        reverse(URL), {"title": "Memento", "release_date": None}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"release_date": ["Give a release date, or the release year alone."]}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"imdb_id": "0137523"}, "imdb_id", "Enter an IMDb title id: tt and 7 to 10 digits."),
        ({"rating": 11}, "rating", "Ensure this value is less than or equal to 10."),
        ({"rating": 0}, "rating", "Ensure this value is greater than or equal to 1."),
        (
            {"letterboxd_uri": "https://example.com/film/x/"},
            "letterboxd_uri",
            "Enter a Letterboxd film link: https://boxd.it/... or https://letterboxd.com/film/.../",
        ),
        ({"tmdb_id": 0}, "tmdb_id", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_ids_and_ratings_are_checked(token_client, fields, field, message):
    response = token_client.post(
        reverse(URL), {"title": "Memento", "release_year": 2000, **fields}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {field: [message]}
    assert not Movie.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("imdb_id", "tt0209144", "Another film on the list has this IMDb id."),
        ("tmdb_id", 77, "Another film on the list has this TMDB id."),
        (
            "letterboxd_uri",
            "https://boxd.it/1Bao",
            "Another film on the list has this Letterboxd URI.",
        ),
    ],
)
def test_an_id_another_film_has_is_a_conflict(token_client, field, value, message):
    token_client.post(
        reverse(URL), {"title": "Memento", "release_year": 2000, field: value}, format="json"
    )
    before = movie_rows()

    response = token_client.post(
        reverse(URL), {"title": "Copy", "release_year": 2000, field: value}, format="json"
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json() == {field: [message]}
    assert movie_rows() == before
