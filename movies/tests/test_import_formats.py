"""Every format the import reads, from its sample (movies/tests/samples, shaped like the real
exports): the films it makes, exactly, and the report. Only films come in; a watchlist row
comes in unwatched, a watched, diary or rated row watched; a Letterboxd diary entry's own
link is never taken for the film's."""

from http import HTTPStatus

import pytest

from movies.models import Movie
from movies.tests.import_support import (
    film,
    films,
    post_import,
    sample_bytes,
    table,
    with_bom_and_crlf,
    zip_of,
    zip_of_folder,
)

pytestmark = pytest.mark.django_db


def imported(client, name, data, **options):
    response = post_import(client, (name, data), **options)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def skip(file, line, title, reason):
    return {"file": file, "line": line, "title": title, "reason": reason}


def json_skip(file, path, title, reason):
    return {"file": file, "path": path, "title": title, "reason": reason}


def counts(report):
    return {
        key: report[key]
        for key in ("rows", "created", "updated", "unchanged", "merged", "skipped", "invalid")
    }


# --- IMDb -----------------------------------------------------------------------------------

IMDB_WATCHLIST = [
    film('"Crocodile" Dundee', 1986, "1986-09-26", imdb="tt0090555"),
    film("Amélie", 2001, "2001-04-25", imdb="tt0211915"),
    film("Avatar: Fire and Ash", 2025, imdb="tt1757678"),  # unreleased: no date
    film("Crouching Tiger, Hidden Dragon", 2000, "2000-12-08", imdb="tt0190332"),
    # Rated by the member: seen, though on a list (when is not known: "Date Rated" is not it).
    film("Dune: Part Two", 2024, "2024-03-01", watched=True, rating=9, imdb="tt15239678"),
    film("Hotel Chevalier", 2007, "2007-09-03", imdb="tt1094249"),  # a Short is a film
    film("Spirited Away", 2001, "2001-07-20", imdb="tt0245429"),
    film("The Godfather", 1972, "1972-03-24", watched=True, rating=10, imdb="tt0068646"),
    film("Y tu mamá también", 2001, "2001-06-08", imdb="tt0245574"),
]


def test_imdb_watchlist_current_layout(importer):
    report = imported(importer, "watchlist.csv", sample_bytes("imdb/watchlist.csv"))

    assert films() == IMDB_WATCHLIST
    assert report["written"] is True
    assert report["files"] == [
        {
            "name": "watchlist.csv",
            "format": "imdb-list",
            "format_name": "IMDb list or watchlist export",
            "rows": 13,
        }
    ]
    assert counts(report) == {
        "rows": 13,
        "created": 9,
        "updated": 0,
        "unchanged": 0,
        "merged": 0,
        "skipped": 4,
        "invalid": 0,
    }
    assert report["skips"] == [
        skip("watchlist.csv", 7, "Breaking Bad", "a TV series, not a film"),
        skip("watchlist.csv", 8, "Breaking Bad: Ozymandias", "a TV episode, not a film"),
        skip("watchlist.csv", 9, "Chernobyl", "a TV mini series, not a film"),
        skip("watchlist.csv", 11, "The Last of Us", "a video game, not a film"),
    ]
    assert report["problems"] == []
    assert [(c["action"], c["title"], c["from"]["line"]) for c in report["changes"]] == [
        ("create", "Amélie", 2),
        ("create", "Spirited Away", 3),
        ("create", "Crouching Tiger, Hidden Dragon", 4),
        ("create", "Y tu mamá también", 5),
        ("create", '"Crocodile" Dundee', 6),
        ("create", "Hotel Chevalier", 10),
        ("create", "Dune: Part Two", 12),
        ("create", "Avatar: Fire and Ash", 13),
        ("create", "The Godfather", 14),
    ]


def test_imdb_list_with_notes_over_two_lines(importer):
    """A quoted description over two lines: the rows after it keep their line numbers. A
    release in another year than the film's (a country's late release) is not its date."""
    report = imported(importer, "list.csv", sample_bytes("imdb/list.csv"))

    assert films() == [
        film("City of God", 2002, imdb="tt0317248"),  # released 2003-01-17 where exported
        film("In the Mood for Love", 2000, imdb="tt0118694"),
        film("Léon: The Professional", 1994, "1994-11-18", imdb="tt0110413"),
        film("Parasite", 2019, "2019-11-08", watched=True, rating=9, imdb="tt6751668"),
        film("Seven Samurai", 1954, imdb="tt0047478"),
        film("Sharknado", 2013, "2013-07-11", watched=True, rating=2, imdb="tt2724064"),
        film("The Good, the Bad and the Ugly", 1966, imdb="tt0060196"),
    ]
    assert report["skips"] == [skip("list.csv", 9, "Live Aid", "a TV special, not a film")]
    assert [(c["title"], c["from"]["line"]) for c in report["changes"]][1:3] == [
        ("Léon: The Professional", 3),
        ("Parasite", 5),
    ]
    assert counts(report) == {
        "rows": 8,
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "merged": 0,
        "skipped": 1,
        "invalid": 0,
    }


IMDB_RATINGS = [
    film("Amélie", 2001, "2001-04-25", watched=True, rating=8, imdb="tt0211915"),
    film(
        "Crouching Tiger, Hidden Dragon",
        2000,
        "2000-12-08",
        watched=True,
        rating=7,
        imdb="tt0190332",
    ),
    film("Parasite", 2019, "2019-11-08", watched=True, rating=9, imdb="tt6751668"),
    film("Sharknado", 2013, "2013-07-11", watched=True, rating=2, imdb="tt2724064"),
    film("The Godfather", 1972, "1972-03-24", watched=True, rating=10, imdb="tt0068646"),
    film("The Matrix", 1999, "1999-03-31", watched=True, rating=9, imdb="tt0133093"),
    # IMDb gives "1984-10": known to the month, so no date; the year stays.
    film("The Terminator", 1984, watched=True, rating=8, imdb="tt0088247"),
    film(
        "The Wonderful Story of Henry Sugar",
        2023,
        "2023-09-27",
        watched=True,
        rating=7,
        imdb="tt16968450",
    ),
    film("Y tu mamá también", 2001, "2001-06-08", watched=True, rating=8, imdb="tt0245574"),
]


def test_imdb_ratings_current_layout(importer):
    report = imported(importer, "ratings.csv", sample_bytes("imdb/ratings.csv"))

    assert films() == IMDB_RATINGS
    assert report["files"][0]["format"] == "imdb-ratings"
    assert report["skips"] == [
        skip("ratings.csv", 7, "Breaking Bad", "a TV series, not a film"),
        skip("ratings.csv", 8, "Breaking Bad: Ozymandias", "a TV episode, not a film"),
        skip("ratings.csv", 13, "Severance", "a TV series, not a film"),
    ]
    assert counts(report) == {
        "rows": 12,
        "created": 9,
        "updated": 0,
        "unchanged": 0,
        "merged": 0,
        "skipped": 3,
        "invalid": 0,
    }


def test_imdb_watchlist_older_layout(importer):
    """No Original Title column, lower-case title types; Title is the original title."""
    report = imported(importer, "WATCHLIST.csv", sample_bytes("imdb/older/WATCHLIST.csv"))

    assert films() == [
        film('"Crocodile" Dundee', 1986, "1986-04-24", imdb="tt0090555"),
        film("Dune", 2021, "2021-09-03", imdb="tt1160419"),
        film("Hotel Chevalier", 2007, "2007-09-03", imdb="tt1094249"),
        film("Il buono, il brutto, il cattivo", 1966, "1966-12-23", imdb="tt0060196"),
        film("Le fabuleux destin d'Amélie Poulain", 2001, "2001-04-25", imdb="tt0211915"),
        film("Sen to Chihiro no kamikakushi", 2001, "2001-07-20", imdb="tt0245429"),
        film("Sharknado", 2013, "2013-07-11", imdb="tt2724064"),  # tvMovie
        film("The Lion King II: Simba's Pride", 1998, "1998-10-27", imdb="tt0120131"),  # video
        film("Wo hu cang long", 2000, "2000-07-07", imdb="tt0190332"),
    ]
    assert report["files"][0]["format"] == "imdb-list"
    assert report["skips"] == [
        skip("WATCHLIST.csv", 7, "Breaking Bad", "a TV series, not a film"),
        skip("WATCHLIST.csv", 8, "Breaking Bad: Ozymandias", "a TV episode, not a film"),
        skip("WATCHLIST.csv", 9, "Chernobyl", "a TV mini series, not a film"),
        skip("WATCHLIST.csv", 12, "Live Aid", "a TV special, not a film"),
        skip("WATCHLIST.csv", 13, "The Last of Us", "a video game, not a film"),
    ]
    assert (report["created"], report["skipped"]) == (9, 5)


def test_imdb_ratings_older_layout(importer):
    report = imported(importer, "ratings.csv", sample_bytes("imdb/older/ratings.csv"))

    assert films() == [
        film("Gisaengchung", 2019, "2019-05-30", watched=True, rating=9, imdb="tt6751668"),
        film(
            "Il buono, il brutto, il cattivo",
            1966,
            "1966-12-23",
            watched=True,
            rating=9,
            imdb="tt0060196",
        ),
        film(
            "Le fabuleux destin d'Amélie Poulain",
            2001,
            "2001-04-25",
            watched=True,
            rating=8,
            imdb="tt0211915",
        ),
        film("Sharknado", 2013, "2013-07-11", watched=True, rating=2, imdb="tt2724064"),
        film("The Godfather", 1972, "1972-03-14", watched=True, rating=10, imdb="tt0068646"),
        film("The Matrix", 1999, "1999-03-24", watched=True, rating=9, imdb="tt0133093"),
        film("The Terminator", 1984, "1984-10-26", watched=True, rating=8, imdb="tt0088247"),
        film(
            "The Wonderful Story of Henry Sugar",
            2023,
            "2023-09-27",
            watched=True,
            rating=7,
            imdb="tt16968450",
        ),
        film("Y tu mamá también", 2001, "2001-06-08", watched=True, rating=8, imdb="tt0245574"),
    ]
    assert report["files"][0]["format"] == "imdb-ratings"
    assert [s["line"] for s in report["skips"]] == [7, 8]
    assert (report["created"], report["skipped"]) == (9, 2)


def test_imdb_layout_before_2017_is_refused_saying_so(importer):
    before = table()
    response = post_import(importer, ("WATCHLIST.csv", sample_bytes("imdb/legacy/WATCHLIST.csv")))

    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert response.json() == {
        "detail": "WATCHLIST.csv is an IMDb export in the layout IMDb used before 2017, which "
        "is not read: export the list again from IMDb.",
        "file": "WATCHLIST.csv",
    }
    assert table() == before


def test_imdb_ratings_then_watchlist_fill_in_and_never_unwatch(importer):
    """The ratings export, then the watchlist (the same films among others): the watchlist
    adds its other films, and un-watches none."""
    imported(importer, "ratings.csv", sample_bytes("imdb/ratings.csv"))
    report = imported(importer, "watchlist.csv", sample_bytes("imdb/watchlist.csv"))

    by_title = {row[0]: row for row in films()}
    assert by_title["Amélie"] == film(
        "Amélie", 2001, "2001-04-25", watched=True, rating=8, imdb="tt0211915"
    )
    assert by_title["Spirited Away"] == film("Spirited Away", 2001, "2001-07-20", imdb="tt0245429")
    assert by_title["The Godfather"][3] is True
    # Amélie, Crouching Tiger, Y tu mamá and The Godfather were there, and stay as they
    # were; Dune: Part Two and the others are new.
    assert (report["created"], report["updated"], report["unchanged"]) == (5, 0, 4)


# --- Letterboxd -----------------------------------------------------------------------------

LB = "https://boxd.it/"
LETTERBOXD_EXPORT = [
    film("Amélie", 2001, watched=True, on="2023-06-01", rating=9, letterboxd=LB + "2ax8"),
    film("Crouching Tiger, Hidden Dragon", 2000, letterboxd=LB + "2aKc"),
    film("Drive My Car", 2021, letterboxd=LB + "sv94"),
    film("Dune", 2021, watched=True, on="2025-03-15", rating=5, letterboxd=LB + "fA7G"),
    film(
        "Everything Everywhere All at Once",
        2022,
        watched=True,
        on="2024-10-25",
        letterboxd=LB + "jUk4",
    ),
    film("I, Tonya", 2017, watched=True, on="2024-01-27", rating=6, letterboxd=LB + "dzR0"),
    film("Midsommar", 2019, watched=True, on="2024-06-29", rating=1, letterboxd=LB + "jhxe"),
    # On the watchlist and in the diary: watched wins.
    film("Past Lives", 2023, watched=True, on="2024-08-03", rating=10, letterboxd=LB + "oNB8"),
    film("Singin' in the Rain", 1952, letterboxd=LB + "29oY"),
    film("Spirited Away", 2001, letterboxd=LB + "2b4a"),
    film("The Breakfast Club", 1985, watched=True, letterboxd=LB + "27q4"),
    # The diary's rewatch gives the only day seen; watched.csv's Date is not one.
    film("The Godfather", 1972, watched=True, on="2025-01-04", rating=10, letterboxd=LB + "2aNK"),
    film("The Godfather Part II", 1974, watched=True, rating=9, letterboxd=LB + "2aNq"),
    film("The Shawshank Redemption", 1994, watched=True, rating=8, letterboxd=LB + "2aHi"),
    film("WarGames", 1983, letterboxd=LB + "29qU"),
    film("When Harry Met Sally...", 1989, watched=True, rating=7, letterboxd=LB + "29W2"),
    film("Whiplash", 2014, watched=True, on="2023-09-15", rating=8, letterboxd=LB + "7bQA"),
    film("Y Tu Mamá También", 2001, letterboxd=LB + "1Sg2"),
]
DIARY_LINKS = {
    LB + code
    for code in ("4ch2Kx", "4RtVaN", "5vK1oZ", "6JwqCb", "6ZmD3t", "7Kq0uP", "8A1nLr", "9BoYfX")
}


def test_letterboxd_export_zip(importer):
    report = imported(
        importer, "letterboxd-sample-2026-01-21-11-21-utc.zip", zip_of_folder("letterboxd/export")
    )

    assert films() == LETTERBOXD_EXPORT
    assert not Movie.objects.filter(letterboxd_uri__in=DIARY_LINKS).exists()
    archive = "letterboxd-sample-2026-01-21-11-21-utc.zip"
    listed = {entry["name"].removeprefix(f"{archive}/"): entry for entry in report["files"]}
    assert {name: entry.get("format") for name, entry in listed.items() if "format" in entry} == {
        "diary.csv": "letterboxd-diary",
        "ratings.csv": "letterboxd-ratings",
        "reviews.csv": "letterboxd-reviews",
        "watched.csv": "letterboxd-watched",
        "watchlist.csv": "letterboxd-watchlist",
    }
    assert {name: entry["ignored"] for name, entry in listed.items() if "ignored" in entry} == {
        "comments.csv": "not a list of films",
        "profile.csv": "not a list of films",
        "deleted/comments.csv": "entries deleted on Letterboxd",
        "deleted/diary.csv": "entries deleted on Letterboxd",
        "deleted/lists/to-rewatch.csv": "entries deleted on Letterboxd",
        "deleted/reviews.csv": "entries deleted on Letterboxd",
        "orphaned/comments.csv": "orphaned entries (films no longer on Letterboxd)",
        "orphaned/diary.csv": "orphaned entries (films no longer on Letterboxd)",
        "orphaned/reviews.csv": "orphaned entries (films no longer on Letterboxd)",
        "likes/films.csv": "likes, not your films or watchlist",
        "likes/lists.csv": "likes, not your films or watchlist",
        "likes/reviews.csv": "likes, not your films or watchlist",
        "lists/best-of-2024.csv": "a list of yours, not your watchlist",
        "lists/ghibli-and-friends.csv": "a list of yours, not your watchlist",
    }
    assert counts(report) == {
        "rows": 40,
        "created": 18,
        "updated": 0,
        "unchanged": 0,
        "merged": 22,
        "skipped": 0,
        "invalid": 0,
    }
    # diary.csv comes first in the archive: the ratings row of Amélie merges into its entry.
    assert {
        "file": f"{archive}/ratings.csv",
        "line": 6,
        "title": "Amélie",
        "into": {"file": f"{archive}/diary.csv", "line": 2},
    } in report["merges"]


def test_letterboxd_export_zip_in_another_order_gives_the_same_films(importer):
    """Files in the order a member's archiver may put them (watchlist first): the same
    films, watched wins over the watchlist whatever comes first."""
    folder = "letterboxd/export"
    names = ["watchlist.csv", "watched.csv", "reviews.csv", "ratings.csv", "diary.csv"]
    data = zip_of({name: sample_bytes(f"{folder}/{name}") for name in names})

    imported(importer, "export.zip", data)

    assert films() == LETTERBOXD_EXPORT


def test_letterboxd_watchlist_alone(importer):
    report = imported(importer, "watchlist.csv", sample_bytes("letterboxd/export/watchlist.csv"))

    assert films() == [
        film("Crouching Tiger, Hidden Dragon", 2000, letterboxd=LB + "2aKc"),
        film("Drive My Car", 2021, letterboxd=LB + "sv94"),
        film("Past Lives", 2023, letterboxd=LB + "oNB8"),
        film("Singin' in the Rain", 1952, letterboxd=LB + "29oY"),
        film("Spirited Away", 2001, letterboxd=LB + "2b4a"),
        film("WarGames", 1983, letterboxd=LB + "29qU"),
        film("Y Tu Mamá También", 2001, letterboxd=LB + "1Sg2"),
    ]
    assert report["files"][0]["format"] == "letterboxd-watchlist"
    assert report["created"] == 7


def test_letterboxd_watched_alone(importer):
    """Watched, with no day: watched.csv's Date is when the film was marked, not seen."""
    report = imported(importer, "watched.csv", sample_bytes("letterboxd/export/watched.csv"))

    assert films() == [
        film(title, year, watched=True, letterboxd=LB + code)
        for title, year, code in [
            ("Amélie", 2001, "2ax8"),
            ("Dune", 2021, "fA7G"),
            ("Everything Everywhere All at Once", 2022, "jUk4"),
            ("I, Tonya", 2017, "dzR0"),
            ("Midsommar", 2019, "jhxe"),
            ("Past Lives", 2023, "oNB8"),
            ("The Breakfast Club", 1985, "27q4"),
            ("The Godfather", 1972, "2aNK"),
            ("The Godfather Part II", 1974, "2aNq"),
            ("The Shawshank Redemption", 1994, "2aHi"),
            ("When Harry Met Sally...", 1989, "29W2"),
            ("Whiplash", 2014, "7bQA"),
        ]
    ]
    assert report["files"][0]["format"] == "letterboxd-watched"


def test_letterboxd_ratings_alone_doubles_half_stars(importer):
    report = imported(importer, "ratings.csv", sample_bytes("letterboxd/export/ratings.csv"))

    assert films() == [
        film(title, year, watched=True, rating=rating, letterboxd=LB + code)
        for title, year, rating, code in [
            ("Amélie", 2001, 9, "2ax8"),
            ("Dune", 2021, 5, "fA7G"),
            ("I, Tonya", 2017, 6, "dzR0"),
            ("Midsommar", 2019, 1, "jhxe"),
            ("Past Lives", 2023, 10, "oNB8"),
            ("The Godfather", 1972, 10, "2aNK"),
            ("The Godfather Part II", 1974, 9, "2aNq"),
            ("The Shawshank Redemption", 1994, 8, "2aHi"),
            ("When Harry Met Sally...", 1989, 7, "29W2"),
            ("Whiplash", 2014, 8, "7bQA"),
        ]
    ]
    assert report["files"][0]["format"] == "letterboxd-ratings"


DIARY = [
    film("Amélie", 2001, watched=True, on="2023-06-01", rating=9),
    film("Dune", 2021, watched=True, on="2025-03-15", rating=5),
    film("Everything Everywhere All at Once", 2022, watched=True, on="2024-10-25"),
    film("I, Tonya", 2017, watched=True, on="2024-01-27", rating=6),
    film("Midsommar", 2019, watched=True, on="2024-06-29", rating=1),
    film("Past Lives", 2023, watched=True, on="2024-08-03", rating=10),
    film("The Godfather", 1972, watched=True, on="2025-01-04", rating=10),
    film("Whiplash", 2014, watched=True, on="2023-09-15", rating=8),
]


def test_letterboxd_diary_alone_keeps_the_day_seen_not_the_entry_link(importer):
    """`Watched Date`, not `Date` (the day logged); the URI is the entry's, not the film's."""
    report = imported(importer, "diary.csv", sample_bytes("letterboxd/export/diary.csv"))

    assert films() == DIARY
    assert report["files"][0]["format"] == "letterboxd-diary"
    assert report["created"] == 8


def test_letterboxd_reviews_alone(importer):
    """Reviews over several lines, with quotes, Hangul and emoji: the rows after them keep
    their line numbers."""
    report = imported(importer, "reviews.csv", sample_bytes("letterboxd/export/reviews.csv"))

    assert films() == [
        film("Amélie", 2001, watched=True, on="2023-06-01", rating=9),
        film("Midsommar", 2019, watched=True, on="2024-06-29", rating=1),
        film("Past Lives", 2023, watched=True, on="2024-08-03", rating=10),
    ]
    assert report["files"][0]["format"] == "letterboxd-reviews"
    assert [c["from"]["line"] for c in report["changes"]] == [2, 5, 6]


def test_letterboxd_watchlist_and_watched_need_their_names(importer):
    """The two files have one header: a file named neither cannot say which it is."""
    before = table()
    response = post_import(importer, ("films.csv", sample_bytes("letterboxd/export/watched.csv")))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "watchlist.csv or watched.csv" in response.json()["detail"]
    assert table() == before


# --- Trakt ----------------------------------------------------------------------------------

TRAKT_HISTORY = [
    film(
        "Amélie",
        2001,
        watched=True,
        at="2025-07-07T20:52:00Z",
        imdb="tt0211915",
        tmdb=194,
    ),
    film(
        "Crouching Tiger, Hidden Dragon",
        2000,
        watched=True,
        at="2025-01-18T22:05:00Z",
        imdb="tt0190332",
        tmdb=146,
    ),
    film(
        "Dune: Part Two",
        2024,
        watched=True,
        at="2025-06-24T21:30:00Z",
        imdb="tt15239678",
        tmdb=693134,
    ),
    # Watched twice (2024, then 2014 further down the file): the first time is kept.
    film(
        "The Dark Knight",
        2008,
        watched=True,
        at="2014-04-05T15:27:00Z",
        imdb="tt0468569",
        tmdb=155,
    ),
]
TRAKT_WATCHLIST = [
    film("Perfect Blue", 1998, imdb="tt0156887", tmdb=10494),
    film("Spirited Away", 2001, imdb="tt0245429", tmdb=129),
    film("The Matrix", 1999, imdb="tt0133093", tmdb=603),
    film("Y Tu Mamá También", 2001, imdb="tt0245574", tmdb=1391),
]


def test_trakt_history_alone(importer):
    report = imported(importer, "watched-history.json", sample_bytes("trakt/watched-history.json"))

    assert films() == TRAKT_HISTORY
    assert report["files"] == [
        {
            "name": "watched-history.json",
            "format": "trakt-history",
            "format_name": "Trakt watch history",
            "rows": 8,
        }
    ]
    episode = "a TV episode, not a film"
    assert report["skips"] == [
        json_skip("watched-history.json", "[1]", "Red Light, Green Light", episode),
        json_skip("watched-history.json", "[3]", "Good News About Hell", episode),
        json_skip("watched-history.json", "[5]", "Ozymandias", episode),
    ]
    assert report["merges"] == [
        {
            "file": "watched-history.json",
            "path": "[7]",
            "title": "The Dark Knight",
            "into": {"file": "watched-history.json", "path": "[6]"},
        }
    ]
    assert counts(report) == {
        "rows": 8,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "merged": 1,
        "skipped": 3,
        "invalid": 0,
    }


def test_trakt_watchlist_alone(importer):
    report = imported(importer, "lists-watchlist.json", sample_bytes("trakt/lists-watchlist.json"))

    assert films() == TRAKT_WATCHLIST
    assert report["files"][0]["format"] == "trakt-list"
    assert report["skips"] == [
        json_skip("lists-watchlist.json", "[1]", "Severance", "a TV show, not a film"),
        json_skip("lists-watchlist.json", "[4]", "Ozymandias", "a TV episode, not a film"),
    ]


def test_trakt_ratings_alone(importer):
    report = imported(importer, "ratings-movies.json", sample_bytes("trakt/ratings-movies.json"))

    assert films() == [
        film("Amélie", 2001, watched=True, rating=9, imdb="tt0211915", tmdb=194),
        film(
            "Crouching Tiger, Hidden Dragon",
            2000,
            watched=True,
            rating=7,
            imdb="tt0190332",
            tmdb=146,
        ),
        film("Dune: Part Two", 2024, watched=True, rating=8, imdb="tt15239678", tmdb=693134),
        film("The Dark Knight", 2008, watched=True, rating=10, imdb="tt0468569", tmdb=155),
        film("The Matrix", 1999, watched=True, rating=1, imdb="tt0133093", tmdb=603),
    ]
    assert report["files"][0]["format"] == "trakt-ratings"


TRAKT_EXPORT = [
    film(
        "Amélie",
        2001,
        watched=True,
        at="2025-07-07T20:52:00Z",
        rating=9,
        imdb="tt0211915",
        tmdb=194,
    ),
    film(
        "Crouching Tiger, Hidden Dragon",
        2000,
        watched=True,
        at="2025-01-18T22:05:00Z",
        rating=7,
        imdb="tt0190332",
        tmdb=146,
    ),
    film(
        "Dune: Part Two",
        2024,
        watched=True,
        at="2025-06-24T21:30:00Z",
        rating=8,
        imdb="tt15239678",
        tmdb=693134,
    ),
    film("Perfect Blue", 1998, imdb="tt0156887", tmdb=10494),
    film("Spirited Away", 2001, imdb="tt0245429", tmdb=129),
    film(
        "The Dark Knight",
        2008,
        watched=True,
        at="2014-04-05T15:27:00Z",
        rating=10,
        imdb="tt0468569",
        tmdb=155,
    ),
    # Rated, so seen, though still on the watchlist.
    film("The Matrix", 1999, watched=True, rating=1, imdb="tt0133093", tmdb=603),
    film("Y Tu Mamá También", 2001, imdb="tt0245574", tmdb=1391),
]


def test_trakt_export_zip(importer):
    report = imported(importer, "trakt-export.zip", zip_of_folder("trakt/export"))

    assert films() == TRAKT_EXPORT
    listed = {e["name"].removeprefix("trakt-export.zip/"): e for e in report["files"]}
    assert {name: e["format"] for name, e in listed.items() if "format" in e} == {
        "lists-watchlist.json": "trakt-list",
        "ratings-movies.json": "trakt-ratings",
        "watched-history-1.json": "trakt-history",
        "watched-movies.json": "trakt-watched",
    }
    assert {name: e["ignored"] for name, e in listed.items() if "ignored" in e} == {
        "lists-list-4242-rewatch-soon.json": "not your watchlist, history or film ratings",
        "lists-lists.json": "not a list of films",
        "ratings-episodes.json": "not your watchlist, history or film ratings",
        "ratings-shows.json": "not your watchlist, history or film ratings",
        "user-profile.json": "not a list of films",
    }
    assert counts(report) == {
        "rows": 23,
        "created": 8,
        "updated": 0,
        "unchanged": 0,
        "merged": 10,
        "skipped": 5,
        "invalid": 0,
    }


def test_trakt_export_zip_in_folders(importer):
    """Files matched by their names wherever they are in the archive."""
    names = ["watched-history-1.json", "ratings-movies.json", "lists-watchlist.json"]
    data = zip_of(
        {f"trakt/{name}": sample_bytes(f"trakt/export/{name}") for name in names}
        | {"trakt/user-profile.json": sample_bytes("trakt/export/user-profile.json")}
    )

    imported(importer, "export.zip", data)

    assert films() == TRAKT_EXPORT


# --- What Windows programs do to a file: a BOM and CRLF -------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "expected"),
    [
        ("list.csv", "imdb/list.csv", None),
        ("ratings.csv", "imdb/ratings.csv", IMDB_RATINGS),
        ("diary.csv", "letterboxd/export/diary.csv", DIARY),
        ("watched-history.json", "trakt/watched-history.json", TRAKT_HISTORY),
    ],
)
def test_a_bom_and_crlf_change_nothing(importer, name, path, expected):
    plain = imported(importer, name, sample_bytes(path), dry_run=True)

    report = imported(importer, name, with_bom_and_crlf(sample_bytes(path)))

    assert {**report, "written": False, "dry_run": True} == plain
    if expected is not None:
        assert films() == expected
    assert len(films()) == report["created"]


def test_a_bom_and_crlf_in_an_export_zip(importer):
    folder = "letterboxd/export"
    names = ["diary.csv", "ratings.csv", "watched.csv", "watchlist.csv"]
    data = zip_of({n: with_bom_and_crlf(sample_bytes(f"{folder}/{n}")) for n in names})

    imported(importer, "export.zip", data)

    assert films() == LETTERBOXD_EXPORT
