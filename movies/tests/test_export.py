"""Exports: `GET /api/export/` (this site's CSV and JSON, Letterboxd's import CSV), streamed,
for anyone who may read the films; `export_films` on the command line writes the same bytes.
"""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from movies.exporting import LETTERBOXD_NEEDS_A_LIST
from movies.models import Movie

pytestmark = pytest.mark.django_db

EXPORT = reverse("film-export")


@pytest.fixture
def three_films(db):
    return [
        Movie.objects.create(
            title="Perfect Blue",
            release_date=date(1998, 2, 28),
            is_watched=True,
            watched_at=datetime(2024, 5, 1, 21, 30, 5, 123456, tzinfo=UTC),
            rating=9,
            imdb_id="tt0156887",
            tmdb_id=10494,
            letterboxd_uri="https://boxd.it/1Pv8",
        ),
        Movie.objects.create(title='Known, by its "year"', release_year=1931),
        Movie.objects.create(
            title="=Seen on a day", release_year=2001, is_watched=True, watched_on=date(2020, 1, 2)
        ),
    ]


def body(response):
    return b"".join(response.streaming_content).decode()


def test_the_csv_export_is_this_sites_columns_one_film_a_line(anon_client, three_films):
    response = anon_client.get(EXPORT)

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    first, second, third = (film.pk for film in three_films)
    assert body(response) == (
        "id,title,release_date,release_year,is_watched,watched_at,watched_on,rating,imdb_id,"
        "tmdb_id,letterboxd_uri\r\n"
        f"{first},Perfect Blue,1998-02-28,1998,true,2024-05-01T21:30:05.123456Z,2024-05-01,9,"
        "tt0156887,10494,https://boxd.it/1Pv8\r\n"
        f'{second},"Known, by its ""year""",,1931,false,,,,,,\r\n'
        f"{third},'=Seen on a day,,2001,true,,2020-01-02,,,,\r\n"
    )


def test_the_json_export_is_the_films_as_the_api_shows_them(anon_client, three_films):
    response = anon_client.get(EXPORT, {"format": "json"})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body(response)) == [
        {
            "id": three_films[0].pk,
            "title": "Perfect Blue",
            "release_date": "1998-02-28",
            "release_year": 1998,
            "is_watched": True,
            "watched_at": "2024-05-01T21:30:05.123456Z",
            "watched_on": "2024-05-01",
            "rating": 9,
            "imdb_id": "tt0156887",
            "tmdb_id": 10494,
            "letterboxd_uri": "https://boxd.it/1Pv8",
        },
        {
            "id": three_films[1].pk,
            "title": 'Known, by its "year"',
            "release_date": None,
            "release_year": 1931,
            "is_watched": False,
            "watched_at": None,
            "watched_on": None,
            "rating": None,
            "imdb_id": None,
            "tmdb_id": None,
            "letterboxd_uri": None,
        },
        {
            "id": three_films[2].pk,
            "title": "=Seen on a day",
            "release_date": None,
            "release_year": 2001,
            "is_watched": True,
            "watched_at": None,
            "watched_on": "2020-01-02",
            "rating": None,
            "imdb_id": None,
            "tmdb_id": None,
            "letterboxd_uri": None,
        },
    ]


def test_the_letterboxd_export_has_the_columns_letterboxds_importer_reads(
    anon_client, three_films
):
    watched = anon_client.get(EXPORT, {"format": "letterboxd", "is_watched": "true"})
    watchlist = anon_client.get(EXPORT, {"format": "letterboxd", "is_watched": "false"})

    assert watched.status_code == watchlist.status_code == HTTPStatus.OK
    assert watched["Content-Type"] == "text/csv; charset=utf-8"
    columns = ["LetterboxdURI", "tmdbID", "imdbID", "Title", "Year", "Rating10", "WatchedDate"]
    # Titles as they are, for Letterboxd's matching by title (no spreadsheet's apostrophe).
    assert list(csv.reader(io.StringIO(body(watched)))) == [
        columns,
        ["https://boxd.it/1Pv8", "10494", "tt0156887", "Perfect Blue", "1998", "9", "2024-05-01"],
        ["", "", "", "=Seen on a day", "2001", "", "2020-01-02"],
    ]
    assert list(csv.reader(io.StringIO(body(watchlist)))) == [
        columns,
        ["", "", "", 'Known, by its "year"', "1931", "", ""],
    ]


def test_the_letterboxd_export_names_watched_films_or_the_watchlist(anon_client, three_films):
    """Letterboxd marks every film imported to a profile as watched: a watchlist sent there
    whole would come in watched."""
    response = anon_client.get(EXPORT, {"format": "letterboxd"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"is_watched": [LETTERBOXD_NEEDS_A_LIST]}
    with pytest.raises(CommandError, match="Letterboxd marks every film it imports as watched"):
        call_command("export_films", "--format", "letterboxd")


@pytest.mark.parametrize(
    ("format_key", "extension"),
    [("csv", "csv"), ("json", "json"), ("letterboxd", "letterboxd.csv")],
)
def test_an_export_is_a_download_named_for_the_day(anon_client, format_key, extension):
    response = anon_client.get(EXPORT, {"format": format_key, "is_watched": "true"})

    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="watchlist-{today}.{extension}"'
    )


def test_the_format_may_be_asked_for_by_accept(anon_client, three_films):
    response = anon_client.get(EXPORT, HTTP_ACCEPT="application/json")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert len(json.loads(body(response))) == 3


def test_an_unknown_format_is_a_json_400(anon_client, three_films):
    response = anon_client.get(EXPORT, {"format": "xlsx"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"format": ["Choose one of: csv, json, letterboxd."]}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"is_watched": "true"}, ["Perfect Blue", "=Seen on a day"]),
        ({"is_watched": "false"}, ['Known, by its "year"']),
        ({"search": "SEEN"}, ["=Seen on a day"]),
        ({"search": "e", "is_watched": "true"}, ["Perfect Blue", "=Seen on a day"]),
        ({"ordering": "-title"}, ["Perfect Blue", 'Known, by its "year"', "=Seen on a day"]),
    ],
)
def test_the_lists_filters_choose_what_is_exported(anon_client, three_films, query, titles):
    response = anon_client.get(EXPORT, {"format": "json", **query})

    assert [film["title"] for film in json.loads(body(response))] == titles


def test_an_invalid_filter_is_a_json_400(anon_client, three_films):
    response = anon_client.get(EXPORT, {"is_watched": "maybe"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"is_watched": ["Enter true or false (or 1 or 0)."]}


def test_the_json_export_is_the_api_lists_pages_end_to_end(anon_client):
    moment = datetime(2024, 5, 1, 21, 30, 5, 123456, tzinfo=UTC)
    Movie.objects.bulk_create(
        Movie(
            title=f'Film {n} \u2028 "quoted"',
            release_year=1900 + n % 120,
            release_date=date(1900 + n % 120, 1 + n % 12, 1) if n % 3 else None,
            rating=n % 10 + 1 if n % 2 else None,
            is_watched=bool(n % 4),
            watched_at=moment - timedelta(days=n) if n % 4 == 1 else None,
            watched_on=date(2020, 1, 1) + timedelta(days=n) if n % 4 == 2 else None,
            imdb_id=f"tt{n:07d}" if n % 5 else None,
            tmdb_id=n + 1 if n % 7 else None,
        )
        for n in range(250)
    )
    pages, page = [], 1
    while True:
        response = anon_client.get(reverse("movie-list"), {"page": page, "page_size": 100})
        if response.status_code == HTTPStatus.NOT_FOUND:
            break
        pages.append(response.content.removeprefix(b"[").removesuffix(b"]"))
        page += 1

    exported = b"".join(anon_client.get(EXPORT, {"format": "json"}).streaming_content)

    assert len(pages) == 3
    assert exported == b"[" + b",".join(pages) + b"]"  # byte for byte
    assert b"\\u2028" in exported  # escaped, as the API's renderer does
    assert len(json.loads(exported)) == 250


def test_the_header_goes_out_before_the_first_query(anon_client, three_films):
    response = anon_client.get(EXPORT)
    chunks = iter(response.streaming_content)

    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)

    assert first.startswith(b"id,title,")
    assert len(queries) == 0
    assert b"Perfect Blue" in b"".join(chunks)


def test_films_go_out_a_chunk_at_a_time(anon_client, django_assert_num_queries):
    Movie.objects.bulk_create(Movie(title=f"Film {n}", release_year=2000) for n in range(4500))
    response = anon_client.get(EXPORT)

    with django_assert_num_queries(4):  # 2,000 films, 2,000, 500, and the empty one after
        lines = body(response).splitlines()

    assert len(lines) == 4501


def test_anyone_who_may_read_the_films_may_export_them(anon_client, token_client, three_films):
    for client in (anon_client, token_client):
        response = client.get(EXPORT)
        assert response.status_code == HTTPStatus.OK
        assert len(body(response).splitlines()) == 4


def test_post_is_not_allowed_on_the_export(token_client):
    response = token_client.post(EXPORT)

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.json() == {"detail": 'Method "POST" not allowed.'}


# --- The command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("format_key", ["csv", "json", "letterboxd"])
def test_export_films_writes_what_the_api_sends(anon_client, three_films, tmp_path, format_key):
    path = tmp_path / "export"

    call_command(
        "export_films", "--format", format_key, "--is-watched", "true", "--output", str(path)
    )

    sent = b"".join(
        anon_client.get(EXPORT, {"format": format_key, "is_watched": "true"}).streaming_content
    )
    assert path.read_bytes() == sent


def test_export_films_writes_to_standard_output_and_filters(three_films, capfdbinary):
    call_command("export_films", "--format", "json", "--is-watched", "true", "--search", "blue")

    out = capfdbinary.readouterr().out
    assert [film["title"] for film in json.loads(out)] == ["Perfect Blue"]


def test_export_films_refuses_an_unknown_format():
    with pytest.raises(CommandError) as refused:
        call_command("export_films", "--format", "xlsx")

    assert "invalid choice: 'xlsx'" in str(refused.value)
