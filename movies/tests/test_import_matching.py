"""How an import matches rows to the films already on the list, and merges them (the rules
of `movies.importing.engine`): by IMDb id, then TMDB id, then Letterboxd URI, then title and
year folded as the search folds them; never to a film whose ids say it is another. An import
only adds: it fills what a film lacks, never changes or clears a value, never un-watches;
the rows of one film in a file are merged, the earliest day seen winning."""

import json

import pytest

from movies.importing import Upload, import_films
from movies.models import Movie
from movies.tests.import_support import film, films

pytestmark = pytest.mark.django_db


def rows(*items):
    """A file in this site's JSON export format holding `items` (each a film's fields)."""
    return json.dumps([{"release_year": 2000, **item} for item in items]).encode()


def imported(*items, **options):
    return import_films([Upload.from_bytes("films.json", rows(*items))], **options)


def stored(title, year=2000, **fields):
    return Movie.objects.create(title=title, release_year=year, **fields)


# --- Matching -------------------------------------------------------------------------------

KEY_ARGUMENT = {"imdb_id": "imdb", "tmdb_id": "tmdb", "letterboxd_uri": "letterboxd"}


@pytest.mark.parametrize(
    ("key", "value"),
    [("imdb_id", "tt0000001"), ("tmdb_id", 17), ("letterboxd_uri", "https://boxd.it/2aNK")],
)
def test_an_id_matches_whatever_the_title_and_year(key, value):
    stored("The Original Title", **{key: value})

    report = imported({"title": "Un titre traduit", "release_year": 2001, key: value})

    assert films() == [
        film("The Original Title", 2000, **{KEY_ARGUMENT[key]: value}),
    ]
    assert (report.created, report.unchanged) == (0, 1)


def test_the_imdb_id_is_asked_first():
    """A row whose IMDb id names one film and TMDB id another goes to the first."""
    by_imdb = stored("By IMDb", imdb_id="tt0000001")
    stored("By TMDB", tmdb_id=17)

    imported({"title": "Row", "imdb_id": "tt0000001", "tmdb_id": 17})

    by_imdb.refresh_from_db()
    assert by_imdb.tmdb_id is None  # the id another film holds is not copied
    assert Movie.objects.count() == 2


def test_the_tmdb_id_is_asked_before_the_letterboxd_uri():
    stored("By Letterboxd", letterboxd_uri="https://boxd.it/2aNK")
    by_tmdb = stored("By TMDB", tmdb_id=17)

    imported(
        {"title": "Row", "tmdb_id": 17, "letterboxd_uri": "https://boxd.it/2aNK", "rating": 8}
    )

    by_tmdb.refresh_from_db()
    assert (by_tmdb.rating, by_tmdb.letterboxd_uri) == (8, None)
    assert Movie.objects.filter(rating=8).count() == 1


def test_a_title_matches_in_any_case_within_its_year():
    stored("ΟΔΥΣΣΕΙΑ: Amélie's ÉTÉ", 2001)
    stored("Amélie's été", 2002)

    report = imported(
        {"title": "οδυσσεια: amélie's été", "release_year": 2001, "rating": 9},
        {"title": "Amélie's Été", "release_year": 2003},
    )

    assert films() == [
        film("Amélie's Été", 2003),  # another year: another film
        film("Amélie's été", 2002),
        film("ΟΔΥΣΣΕΙΑ: Amélie's ÉTÉ", 2001, rating=9),
    ]
    assert (report.created, report.updated) == (1, 1)


def test_a_title_without_its_accents_matches_within_its_year():
    stored("Amélie", 2001)
    stored("Łódź", 2001)

    report = imported(
        {"title": "AMELIE", "release_year": 2001, "rating": 8},
        {"title": "Lodz", "release_year": 2001, "rating": 7},
        {"title": "Amelie", "release_year": 2002},
    )

    assert films() == [
        film("Amelie", 2002),  # another year: another film
        film("Amélie", 2001, rating=8),
        film("Łódź", 2001, rating=7),
    ]
    assert (report.created, report.updated) == (1, 2)


def test_a_film_whose_ids_say_otherwise_is_not_matched_by_its_title():
    """Two films of one title and year (a remake, a namesake): the ids tell them apart."""
    stored("Dune", 2021, imdb_id="tt1160419")

    report = imported({"title": "Dune", "release_year": 2021, "imdb_id": "tt9999999"})

    assert films() == [
        film("Dune", 2021, imdb="tt1160419"),
        film("Dune", 2021, imdb="tt9999999"),
    ]
    assert report.created == 1


def test_a_film_whose_other_id_differs_is_not_matched_by_its_imdb_id():
    """An id that matches but another that contradicts: the row is another film, made
    without the id that the first film holds."""
    stored("Alpha", imdb_id="tt0000001", tmdb_id=1)

    report = imported({"title": "Beta", "imdb_id": "tt0000001", "tmdb_id": 2})

    assert films() == [film("Alpha", 2000, imdb="tt0000001", tmdb=1), film("Beta", 2000, tmdb=2)]
    assert report.created == 1


def test_an_id_held_by_another_film_is_not_copied():
    stored("Alpha", imdb_id="tt0000001", tmdb_id=1)
    stored("Beta")

    report = imported({"title": "Beta", "imdb_id": "tt0000001", "tmdb_id": 2})

    assert films() == [film("Alpha", 2000, imdb="tt0000001", tmdb=1), film("Beta", 2000, tmdb=2)]
    assert (report.created, report.updated) == (0, 1)
    assert report.changes[0]["fields"] == {"tmdb_id": 2}


# --- Merging into a film on the list ---------------------------------------------------------


def test_an_import_fills_what_a_film_lacks_and_changes_nothing_it_has():
    stored("Known by its year", 2000, rating=7)
    stored("Known by its date", release_date="2000-05-05", imdb_id="tt0000002")

    report = imported(
        {
            "title": "Known by its year",
            "release_date": "2000-06-01",
            "rating": 3,
            "tmdb_id": 5,
            "letterboxd_uri": "https://boxd.it/abc",
        },
        {
            "title": "Known by its date",
            "release_date": "2000-07-07",
            "imdb_id": "tt0000002",
            "rating": 6,
        },
    )

    assert films() == [
        film("Known by its date", 2000, "2000-05-05", rating=6, imdb="tt0000002"),
        film(
            "Known by its year",
            2000,
            "2000-06-01",
            rating=7,
            tmdb=5,
            letterboxd="https://boxd.it/abc",
        ),
    ]
    assert [change["fields"] for change in report.changes] == [
        {"letterboxd_uri": "https://boxd.it/abc", "release_date": "2000-06-01", "tmdb_id": 5},
        {"rating": 6},
    ]


def test_a_date_of_another_year_is_not_taken_for_the_films():
    stored("Matched by id", 2000, imdb_id="tt0000003")

    imported({"title": "Matched by id", "release_date": "2001-03-03", "imdb_id": "tt0000003"})

    assert films() == [film("Matched by id", 2000, imdb="tt0000003")]


def test_an_import_never_unwatches_a_film():
    stored("Seen", is_watched=True, watched_on="2020-02-02")

    report = imported({"title": "Seen", "is_watched": False})

    assert films() == [film("Seen", 2000, watched=True, on="2020-02-02")]
    assert report.unchanged == 1


def test_an_unwatched_film_becomes_watched_with_its_moment():
    stored("Seen at last")

    report = imported(
        {"title": "Seen at last", "is_watched": True, "watched_at": "2024-05-01T21:30:00Z"}
    )

    assert films() == [film("Seen at last", 2000, watched=True, at="2024-05-01T21:30:00Z")]
    assert report.changes[0]["fields"] == {
        "is_watched": True,
        "watched_at": "2024-05-01T21:30:00Z",
        "watched_on": "2024-05-01",
    }


def test_a_watch_day_on_the_list_is_kept_even_if_a_row_says_earlier():
    stored("Seen", is_watched=True, watched_on="2020-02-02")

    imported({"title": "Seen", "is_watched": True, "watched_on": "2010-01-01"})

    assert films() == [film("Seen", 2000, watched=True, on="2020-02-02")]


def test_a_film_watched_on_no_known_day_is_given_the_earliest_the_rows_say():
    stored("Seen, no day", is_watched=True)

    imported(
        {"title": "Seen, no day", "is_watched": True, "watched_on": "2024-05-01"},
        {"title": "Seen, no day", "is_watched": True, "watched_on": "2023-01-01"},
        {"title": "Seen, no day", "is_watched": True, "watched_on": "2023-06-01"},
    )

    assert films() == [film("Seen, no day", 2000, watched=True, on="2023-01-01")]


def test_the_moment_is_added_to_the_day_it_falls_on():
    stored("Seen that day", is_watched=True, watched_on="2024-05-01")

    imported({"title": "Seen that day", "is_watched": True, "watched_at": "2024-05-01T20:00:00Z"})

    assert films() == [film("Seen that day", 2000, watched=True, at="2024-05-01T20:00:00Z")]


# --- Rows of one film in one import ----------------------------------------------------------


def test_rows_of_one_film_are_merged_and_reported():
    report = imported(
        {"title": "Twice", "rating": 8},  # [0]
        {"title": "Other"},  # [1]
        {"title": "TWICE", "imdb_id": "tt0000004", "is_watched": True},  # [2]
        {
            "title": "Renamed there",
            "imdb_id": "tt0000004",
            "watched_on": "2024-01-01",
            "is_watched": True,
        },  # [3]
    )

    assert films() == [
        film("Other", 2000),
        film("Twice", 2000, watched=True, on="2024-01-01", rating=8, imdb="tt0000004"),
    ]
    assert (report.rows, report.created, report.merged) == (4, 2, 2)
    assert report.merges == [
        {
            "file": "films.json",
            "path": "[2]",
            "title": "TWICE",
            "into": {"file": "films.json", "path": "[0]"},
        },
        {
            "file": "films.json",
            "path": "[3]",
            "title": "Renamed there",
            "into": {"file": "films.json", "path": "[0]"},
        },
    ]


def test_the_earliest_day_seen_wins_within_an_import():
    """Letterboxd's diary lists each viewing; Trakt's history too, newest first."""
    imported(
        {"title": "Rewatched", "is_watched": True, "watched_at": "2024-05-01T20:00:00Z"},
        {"title": "Rewatched", "is_watched": True, "watched_on": "2019-03-03"},
        {"title": "Rewatched", "is_watched": True, "watched_at": "2021-01-01T10:00:00Z"},
        {"title": "Rewatched", "is_watched": True},
    )

    assert films() == [film("Rewatched", 2000, watched=True, on="2019-03-03")]


def test_a_moment_an_earlier_day_replaced_is_not_reported_as_given():
    stored("Rewatched")

    report = imported(
        {"title": "Rewatched", "is_watched": True, "watched_at": "2024-05-01T20:00:00Z"},
        {"title": "Rewatched", "is_watched": True, "watched_on": "2019-03-03"},
    )

    assert films() == [film("Rewatched", 2000, watched=True, on="2019-03-03")]
    (change,) = report.changes
    assert change["fields"] == {"is_watched": True, "watched_on": "2019-03-03"}


def test_a_watchlist_row_after_a_watched_one_does_not_unwatch_it():
    imported(
        {"title": "Seen", "is_watched": True, "watched_on": "2024-01-01"},
        {"title": "Seen", "is_watched": False},
    )

    assert films() == [film("Seen", 2000, watched=True, on="2024-01-01")]


def test_a_watched_row_after_a_watchlist_one_watches_it():
    imported(
        {"title": "Seen later", "is_watched": False},
        {"title": "Seen later", "is_watched": True, "watched_on": "2024-01-01"},
    )

    assert films() == [film("Seen later", 2000, watched=True, on="2024-01-01")]


def test_an_id_another_row_gave_another_film_is_not_given_twice():
    report = imported(
        {"title": "First", "imdb_id": "tt0000005", "tmdb_id": 1},
        {"title": "Second", "imdb_id": "tt0000005", "tmdb_id": 2},
    )

    assert films() == [film("First", 2000, imdb="tt0000005", tmdb=1), film("Second", 2000, tmdb=2)]
    assert report.created == 2


# --- Importing again --------------------------------------------------------------------------


def test_importing_a_file_again_changes_nothing():
    items = [
        {"title": "A", "imdb_id": "tt0000006", "rating": 5},
        {"title": "B", "is_watched": True, "watched_at": "2024-02-02T02:02:02Z"},
        {"title": "b", "is_watched": True, "watched_on": "2023-01-01"},
        {"title": "C", "release_date": "2000-12-31"},
    ]
    imported(*items)
    once = list(Movie.objects.order_by("id").values())

    again = imported(*items)

    assert list(Movie.objects.order_by("id").values()) == once
    assert (again.created, again.updated, again.unchanged, again.merged) == (0, 0, 3, 1)


def test_a_dry_run_reports_what_an_import_would_do_and_writes_nothing():
    stored("There")
    items = [{"title": "There", "rating": 4}, {"title": "New"}]

    dry = imported(*items, dry_run=True)

    assert films() == [film("There", 2000)]
    real = imported(*items)
    assert {**dry.as_dict(), "dry_run": False, "written": True} == real.as_dict()
