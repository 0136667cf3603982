"""Export, then import into an empty list: the same films, every field but the id, whatever
the films (Hypothesis makes them: unicode titles, quotes, commas, line breaks, titles a
spreadsheet would run as formulas, every field set or not, films known by their year alone,
watched with a moment, a day or neither). Importing the same export again changes nothing."""

import csv
import datetime
import io
import json
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movies.importing import Upload, import_films
from movies.models import MAX_YEAR, Movie
from movies.search import fold_case
from movies.serializers import MAX_TMDB_ID, MovieSerializer
from movies.tests.import_support import films, table

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# What a request can carry and a database store: no NUL, no lone surrogate.
STORABLE = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
TRICKY = ['"', "'", ",", ";", "\n", "\r\n", "\r", "\t", " ", "ß", "İ", "Σ", "\u2028", "😀"]
FORMULA = ["=", "+", "-", "@", "'=", "''+", "'", "=1+2", "@SUM(A1)", "-2"]
TITLE = st.builds(
    lambda start, parts: start + "".join(parts),
    st.sampled_from(["", "", "", *FORMULA]),
    st.lists(
        st.one_of(st.sampled_from(TRICKY), st.text(STORABLE, min_size=1, max_size=4)),
        min_size=1,
        max_size=8,
    ),
)
DAY = st.dates(datetime.date(1, 1, 1), datetime.date(MAX_YEAR, 12, 31))
MOMENT = st.datetimes(
    datetime.datetime(1, 1, 2), datetime.datetime(MAX_YEAR, 12, 30), timezones=st.just(UTC)
)
RELEASE = st.one_of(
    DAY.map(lambda day: {"release_date": day}),
    st.integers(1, MAX_YEAR).map(lambda year: {"release_year": year}),
)
WATCH = st.one_of(
    st.just({"is_watched": False}),
    st.just({"is_watched": True}),
    DAY.map(lambda day: {"is_watched": True, "watched_on": day}),
    MOMENT.map(lambda at: {"is_watched": True, "watched_at": at}),
)
FILM = st.fixed_dictionaries(
    {
        "title": TITLE,
        "rating": st.one_of(st.none(), st.integers(1, 10)),
        "imdb_id": st.one_of(st.none(), st.from_regex(r"\Att[0-9]{7,10}\Z")),
        "tmdb_id": st.one_of(st.none(), st.integers(1, MAX_TMDB_ID)),
        "letterboxd_uri": st.one_of(
            st.none(),
            st.from_regex(r"\Ahttps://boxd\.it/[0-9A-Za-z]{1,8}\Z"),
            st.from_regex(r"\Ahttps://letterboxd\.com/film/[0-9a-z-]{1,20}/\Z"),
        ),
    }
)


def as_the_api_takes_it(film, release):
    """The film's fields as the API would store them (its serializer's rules: a title
    trimmed, NUL refused...), or None if the API would refuse them."""
    serializer = MovieSerializer(data={**film, **release})
    return serializer.validated_data if serializer.is_valid() else None


@st.composite
def film_lists(draw):
    """Films an import tells apart: a film is matched by its ids, then by its title and
    year, so no two share a folded title and year or an id."""
    made, seen = [], set()
    for _ in range(draw(st.integers(0, 8))):
        fields = as_the_api_takes_it(draw(FILM), draw(RELEASE))
        if fields is None:
            continue
        year = fields.get("release_year") or fields["release_date"].year
        keys = {("title", fold_case(fields["title"]), year)}
        keys |= {(name, fields[name]) for name in ("imdb_id", "tmdb_id", "letterboxd_uri")}
        keys -= {(name, None) for name in ("imdb_id", "tmdb_id", "letterboxd_uri")}
        if keys & seen:
            continue
        seen |= keys
        made.append({**fields, **draw(WATCH)})
    return made


def exported(client, way, tmp_path):
    """The whole list exported: through the API or the command line, as CSV or JSON."""
    door, format_key = way.split()
    if door == "api":
        response = client.get(reverse("film-export"), {"format": format_key})
        assert response.status_code == HTTPStatus.OK
        return b"".join(response.streaming_content)
    path = tmp_path / f"export.{format_key}"
    call_command("export_films", "--format", format_key, "--output", str(path))
    return path.read_bytes()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    made=film_lists(),
    way=st.sampled_from(["api csv", "api json", "command csv", "command json"]),
)
def test_an_export_imported_into_an_empty_list_gives_the_same_films(
    anon_client, tmp_path, made, way
):
    Movie.objects.all().delete()
    for fields in made:
        Movie.objects.create(**fields)
    before = films()
    data = exported(anon_client, way, tmp_path)
    Movie.objects.all().delete()
    name = f"watchlist.{way.split()[1]}"

    if made:
        report = import_films([Upload.from_bytes(name, data)])
        assert (report.created, report.problems) == (len(made), [])
    assert films() == before

    # Again: nothing to add, nothing to complete, the table as it was, row for row.
    if made:
        imported_once = table()
        again = import_films([Upload.from_bytes(name, data)])
        assert (again.created, again.updated, again.unchanged) == (0, 0, len(made))
        assert again.changes == []
        assert table() == imported_once


def test_an_empty_list_exports_a_file_that_imports_as_nothing(anon_client):
    for format_key, expected in (("csv", b"id,title,"), ("json", b"[]")):
        response = anon_client.get(reverse("film-export"), {"format": format_key})
        assert b"".join(response.streaming_content).startswith(expected)


TITLES_A_SPREADSHEET_RUNS = ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "'=1+2", "''@"]


def test_a_csv_export_is_safe_in_a_spreadsheet(anon_client):
    """A title a spreadsheet would run as a formula is written with an apostrophe first,
    which a spreadsheet hides (one that starts with apostrophes already gets one more)."""
    for n, title in enumerate([*TITLES_A_SPREADSHEET_RUNS, "'quoted'", "Plain"]):
        Movie.objects.create(title=title, release_year=2000 + n)

    response = anon_client.get(reverse("film-export"), {"format": "csv"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["title"] for row in rows] == [
        '\'=HYPERLINK("x")',
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "''=1+2",
        "'''@",
        "'quoted'",
        "Plain",
    ]


@pytest.mark.parametrize("format_key", ["csv", "json"])
def test_a_title_a_spreadsheet_would_run_comes_back_the_same(anon_client, format_key):
    for n, title in enumerate([*TITLES_A_SPREADSHEET_RUNS, "'quoted'"]):
        Movie.objects.create(title=title, release_year=2000 + n)
    before = films()
    response = anon_client.get(reverse("film-export"), {"format": format_key})
    data = b"".join(response.streaming_content)
    if format_key == "json":  # JSON runs nothing: the titles as they are
        assert [film["title"] for film in json.loads(data)] == [row[1] for row in table()]
    Movie.objects.all().delete()

    report = import_films([Upload.from_bytes(f"watchlist.{format_key}", data)])

    assert report.problems == []
    assert films() == before
