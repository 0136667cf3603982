"""The title search: its meaning, the same on both databases, and the index kept in step.

The suite runs on SQLite (`make test`) and on PostgreSQL (`make test-postgres`): every test
here checks the database it runs on.
"""

import unicodedata
from datetime import UTC, date, datetime
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection, transaction
from django.db.models import Value
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from movies import search
from movies.casefolding import (
    ACCENT_FOLDING,
    CASE_FOLDING,
    FOLDING,
    UNICODE_VERSION,
    derive_accents,
    derive_table,
)
from movies.filters import MovieFilter
from movies.models import Movie
from movies.search import POSTGRES_INDEX, SQLITE_INDEX, FoldCase, fold_case
from movies.search_index import SQLITE_TRIGGERS
from movies.tests.factories import make_movie
from watchlist.internals.django import compile_queryset

pytestmark = pytest.mark.django_db

LIST = reverse("movie-list")


def found(client, text, **parameters):
    response = client.get(LIST, {"search": text, **parameters})
    assert response.status_code == HTTPStatus.OK, response.content
    return [film["title"] for film in response.json()]


def sqlite_index_is_consistent():
    """FTS5's own check of an external-content index against the films table."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SQLITE_INDEX} ({SQLITE_INDEX}, rank) VALUES ('integrity-check', 1)"  # noqa: S608
        )
    return True


@pytest.mark.parametrize(
    ("title", "text", "matches"),
    [
        ("Émile Zola", "émile", True),  # beyond ASCII, both ways
        ("émile zola", "ÉMILE", True),
        ("ΟΔΟΣ", "οδος", True),  # final sigma, sigma and capital sigma fold alike
        ("οδοσ", "ΟΔΟΣ", True),
        ("Straße", "STRASSE", False),  # one character never becomes two
        ("STRASSE", "ß", False),
        ("STRAẞE", "straße", True),  # capital sharp s folds to ß
        ("İstanbul", "istanbul", True),  # İ is I with a dot above: i
        ("Istanbul", "İST", True),
        ("Istanbul", "ıst", False),  # dotless ı is its own letter
        ("Kelvin \u212a", "k", True),  # the Kelvin sign folds to k
        ("Amélie", "amelie", True),  # accents are ignored, both ways
        ("Amelie", "AMÉLIE", True),
        ("La película", "pelicula", True),
        ("Émile", "EMILE", True),
        ("Łódź", "lodz", True),  # a letter with stroke is the letter
        ("Ørsted", "orsted", True),
        ("Đakovo", "dakovo", True),
        ("Ærø", "aero", False),  # one letter never becomes two: æ stays æ
        ("Ærø", "æro", True),
        ("Cafe\u0301", "café", True),  # a combining accent is the precomposed letter's
        ("Café", "cafe\u0301", True),
        ("Cafe\u0301", "E\u0301", True),
        ("ガンダム", "カンタム", False),  # the kana's voicing marks are not accents
        ("Thérèse", "\u0301", True),  # an accent alone is no text: every film
        ("100% Love", "0%", True),  # LIKE's wildcards are plain characters
        ("100 Love", "0%", False),
        ("a_b", "_", True),
        ("ab", "_", False),
        ("back\\slash", "K\\S", True),
        ("backslash", "\\", False),
        ('It\'s "quoted"', "'S \"Q", True),
        ("Star*Wars?", "r*w", True),  # GLOB's wildcards too
        ("StarWars", "*", False),
        ("[REC]", "[rec]", True),
        ("REC", "[", False),
        ("Up", "u", True),  # shorter than a trigram: still found
        ("Up", "pu", False),
    ],
)
def test_search_meaning(anon_client, title, text, matches):
    make_movie(title)

    assert found(anon_client, text) == ([title] if matches else [])


@pytest.mark.parametrize(
    ("frozen", "derive"),
    [(CASE_FOLDING, derive_table), (ACCENT_FOLDING, derive_accents)],
    ids=["case", "accents"],
)
def test_folding_tables_are_what_unicode_says(frozen, derive):
    """Each frozen table is what the running Python's `unicodedata` derives for every
    character it lists, on any Python: later Unicode versions keep each folding and
    decomposition (Unicode's stability policy) and may only add some, for characters
    assigned after the table's version."""
    derived = derive()

    assert {code_point: derived.get(code_point, "?") for code_point in frozen} == frozen
    if unicodedata.unidata_version == UNICODE_VERSION:
        assert derived == frozen


def test_folding_maps_one_character_to_at_most_one_already_folded():
    assert len(CASE_FOLDING) == 1454
    assert all(len(target) <= 1 for target in FOLDING.values())
    assert all(fold_case(target) == target for target in FOLDING.values())
    assert fold_case("ÀΣςẞİK\U00010400") == "aσσßik\U00010428"
    assert fold_case("Ǿ \u212b ŁÓDŹ Ærøskøbing Straße ı ガ e\u0301\u0327") == (
        "o a lodz æroskobing straße ı ガ e"
    )


def test_database_folds_as_the_table_says():
    everything_that_folds = "".join(map(chr, FOLDING)) + " ASCII, ẞ and İ"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT movies_fold_case(%s), movies_fold_case(NULL)", [everything_that_folds]
        )
        folded, null = cursor.fetchone()

    assert folded == fold_case(everything_that_folds)
    assert null is None


def test_folded_title_is_stored_with_the_film(token_client):
    created = token_client.post(LIST, {"title": "ÉLAN Vital", "release_date": "2001-01-01"})

    assert created.status_code == HTTPStatus.CREATED
    assert "title_folded" not in created.json()
    assert Movie.objects.get().title_folded == "elan vital"


def test_index_follows_creates_edits_and_deletes(anon_client, token_client):
    film = token_client.post(LIST, {"title": "Old Title", "release_date": "2001-01-01"}).json()
    assert found(anon_client, "old tit") == ["Old Title"]

    detail = reverse("movie-detail", args=[film["id"]])
    assert token_client.patch(detail, {"title": "New Name"}).status_code == HTTPStatus.OK
    assert found(anon_client, "old tit") == []
    assert found(anon_client, "new nam") == ["New Name"]

    Movie.objects.filter(pk=film["id"]).update(title="Bulk Renamed")
    assert found(anon_client, "bulk ren") == ["Bulk Renamed"]

    assert token_client.delete(detail).status_code == HTTPStatus.OK
    assert found(anon_client, "bulk ren") == []
    assert connection.vendor != "sqlite" or sqlite_index_is_consistent()


def test_watching_leaves_the_index_alone(anon_client, token_client):
    film = make_movie("Watched Film")

    response = token_client.post(reverse("movie-watch", args=[film.pk]))

    assert response.status_code == HTTPStatus.OK
    assert found(anon_client, "watched f", is_watched="true") == ["Watched Film"]


def test_search_combines_with_filters_order_and_pages(anon_client):
    for title in ["Delta match", "alpha match", "Charlie", "bravo MATCH"]:
        make_movie(title)

    assert found(anon_client, "match", ordering="-title") == [
        "Delta match",
        "bravo MATCH",
        "alpha match",
    ]
    assert found(anon_client, "MATCH", page_size=2, page=2) == ["bravo MATCH"]


def test_search_of_a_searched_queryset_updates_and_deletes_only_the_matches():
    for title in ["Keep me", "Drop me", "Drop me too"]:
        make_movie(title)

    assert Movie.objects.search("drop").mark_watched() == 2
    assert Movie.objects.search("DROP").delete()[0] == 2
    assert list(Movie.objects.values_list("title", "is_watched")) == [("Keep me", False)]


def test_a_searched_queryset_combines_as_any_queryset():
    for title in ["Found here", "Other", "Neither"]:
        make_movie(title)
    searched = Movie.objects.search("FOUND")

    either = searched | Movie.objects.filter(title="Other")
    inside = Movie.objects.filter(pk__in=searched.values("pk")).exclude(title="Neither")

    assert sorted(either.values_list("title", flat=True)) == ["Found here", "Other"]
    assert list(inside.values_list("title", flat=True)) == ["Found here"]
    assert searched.count() == 1


def plan(queryset):
    sql, params, _ = compile_queryset(queryset)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " ".join(row[-1] for row in cursor.fetchall())
        # The planner picks a scan for a few rows; the index must still be usable. (Titles
        # that tests wrote and rolled back stay in the index's pending list until it fills,
        # and weigh on the index's cost as the planner sees it: they go first.)
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [POSTGRES_INDEX])
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return " ".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("text", ["index", "PELÍCULA", "amelie"])
def test_search_reads_the_index(text):
    make_movie("Indexed película")

    used = plan(Movie.objects.search(text).order_by("id"))

    if connection.vendor == "sqlite":
        assert f"SCAN {SQLITE_INDEX} VIRTUAL TABLE" in used.replace("trigrams", SQLITE_INDEX)
        assert "TEMP B-TREE" not in used  # the index gives the id order: no sort
    else:
        assert f"Bitmap Index Scan on {POSTGRES_INDEX}" in used


@pytest.mark.parametrize("ordering", ["title", "-title"])
def test_title_order_reads_the_folded_title_index(ordering):
    """Reading movie_title_year_idx in its order, only films of one folded title are sorted
    (by their title, then id): a page is read as far as it goes, not the whole table."""
    Movie.objects.bulk_create(
        Movie(title=f"Film {n % 700}", release_date=date(2000, 1, 1)) for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE movies_movie")
    films = MovieFilter({"ordering": ordering}, queryset=Movie.objects.all()).qs[:100]

    used = plan(films)

    if connection.vendor == "sqlite":
        assert "SCAN movies_movie USING INDEX movie_title_year_idx" in used
        assert "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" in used
    else:
        assert "Incremental Sort" in used
        assert "Presorted Key: title_folded" in used
        assert "using movie_title_year_idx" in used


def test_a_sqlite_without_the_trigram_tokenizer_stops_migrate(monkeypatch):
    monkeypatch.setattr(search, "sqlite_has_trigram_tokenizer", lambda: False)

    errors = search.check_sqlite_trigram(None, databases=["default"])

    if connection.vendor == "sqlite":
        assert [error.id for error in errors] == ["movies.E001"]
        with pytest.raises(SystemCheckError, match="no FTS5 trigram tokenizer"):
            call_command("migrate", verbosity=0, skip_checks=False)  # as manage.py runs it
    else:
        assert errors == []


def test_this_sqlite_has_the_trigram_tokenizer():
    assert search.sqlite_has_trigram_tokenizer()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds tables to alter them")
def test_migrate_restores_triggers_that_a_table_rebuild_dropped(anon_client):
    make_movie("Before the rebuild")
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:  # what copying the table into a new one leaves
            cursor.execute(f"DROP TRIGGER {name}")
    make_movie("During the rebuild")

    call_command("migrate", verbosity=0)
    make_movie("After the rebuild")

    assert found(anon_client, "the rebuild") == [
        "Before the rebuild",
        "During the rebuild",
        "After the rebuild",
    ]
    assert sqlite_index_is_consistent()


# --- The property: the search answers what its meaning says, page by page ----------------

FOLDS_UNEVENLY = ["ß", "SS", "ẞ", "İ", "I", "i", "ı", "Σ", "σ", "ς", "\u212a", "K", "É", "é"]
FOLDS_UNEVENLY += ["e", "E\u0301", "Ǿ", "ø", "Ł", "l", "æ", "ガ", "カ", "\u0327", "Ñ"]
SPECIAL = ["%", "_", "\\", "'", '"', "[", "]", "*", "?", "^", " ", "e\u0301", "\u0301", "日本"]
CHARACTER = st.one_of(
    st.sampled_from(FOLDS_UNEVENLY + SPECIAL),
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
)
TITLE = st.lists(CHARACTER, min_size=1, max_size=10).map("".join).map(str.strip).filter(bool)
FILMS = st.lists(
    st.tuples(TITLE, st.integers(0, 3), st.booleans()), min_size=1, max_size=12
)  # title, release year offset, watched
ORDERING = st.sampled_from(["id", "-id", "title", "-title", "-release_date,title", "watched_at"])
CASE_CHANGES = [str, str.upper, str.lower, str.swapcase, str.casefold, fold_case]


@st.composite
def search_text(draw, titles):
    """A piece of one of the titles in some case, or any text (often shorter than a trigram)."""
    if draw(st.booleans()):
        title = draw(st.sampled_from(titles))
        length = draw(st.integers(min(3, len(title)), len(title)) | st.integers(1, len(title)))
        start = draw(st.integers(0, len(title) - length))
        return draw(st.sampled_from(CASE_CHANGES))(title[start : start + length])
    return "".join(draw(st.lists(CHARACTER, min_size=1, max_size=6)))


def listed(client, **parameters):
    response = client.get(LIST, parameters)
    ok = response.status_code == HTTPStatus.OK
    return response.status_code, [film["id"] for film in response.json()] if ok else None


def ids_matching_without_the_index(text, is_watched):
    """The search's condition with no index to read: SQLite without the trigram table,
    PostgreSQL with bitmap scans (the only way to read a GIN index) turned off."""
    films = (
        Movie.objects.all() if is_watched is None else Movie.objects.filter(is_watched=is_watched)
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        films = films.filter(title_folded__contains=FoldCase(Value(text)))
        found_ids = set(films.values_list("id", flat=True))
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_bitmapscan = on")
    return found_ids


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), films=FILMS, ordering=ORDERING, page_size=st.integers(1, 4))
def test_search_answers_what_its_meaning_says(anon_client, data, films, ordering, page_size):
    text = data.draw(search_text([title for title, _, _ in films]), label="search")
    is_watched = data.draw(st.sampled_from([None, True, False]), label="is_watched")
    filters = {"ordering": ordering, **({} if is_watched is None else {"is_watched": is_watched})}
    with transaction.atomic():
        Movie.objects.bulk_create(
            Movie(
                title=title,
                release_date=date(2000 + year, 1, 1),
                is_watched=watched,
                watched_at=datetime(2020, 1, 1, tzinfo=UTC) if watched else None,
            )
            for title, year, watched in films
        )
        titles = dict(Movie.objects.values_list("id", "title"))
        _, in_order = listed(
            anon_client, **filters, page_size=1000
        )  # no search: the reference order
        wanted = fold_case(text.strip())  # the query parameter is stripped, as every CharField
        expected = [pk for pk in in_order if wanted in fold_case(titles[pk])]
        event("no search" if not wanted else "short" if len(wanted) < 3 else "trigrams")
        event(
            "no match" if not expected else "some match" if expected != in_order else "all match"
        )

        pages = [expected[n : n + page_size] for n in range(0, len(expected), page_size)] or [[]]
        for number, page in enumerate(pages, start=1):
            assert listed(
                anon_client, **filters, search=text, page_size=page_size, page=number
            ) == (
                HTTPStatus.OK,
                page,
            )
        past_the_end = listed(
            anon_client, **filters, search=text, page=len(pages) + 1, page_size=page_size
        )
        assert past_the_end[0] == HTTPStatus.NOT_FOUND
        if wanted:
            assert ids_matching_without_the_index(text.strip(), is_watched) == set(expected)
        transaction.set_rollback(True)


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(titles=st.lists(TITLE, min_size=1, max_size=12), descending=st.booleans())
def test_title_order_is_the_folded_title_then_the_title_then_id(
    anon_client, token_client, titles, descending
):
    """Both ways into the list (the early answer to anonymous reads, DRF's view with a
    token) order as the fold says: by folded title, then title (code point order: SQLite's,
    and PostgreSQL's in a C or C.UTF-8 collation), then id, ascending."""
    ordering = "-title" if descending else "title"
    with transaction.atomic():
        films = Movie.objects.bulk_create(
            Movie(title=title, release_date=date(2000, 1, 1)) for title in titles
        )
        # Ties of both the folded title and the title are in id order either way.
        keys = sorted({(fold_case(film.title), film.title) for film in films}, reverse=descending)
        rank = {key: n for n, key in enumerate(keys)}
        in_order = sorted(
            films, key=lambda film: (rank[fold_case(film.title), film.title], film.pk)
        )
        expected = [film.pk for film in in_order]

        assert listed(anon_client, ordering=ordering, page_size=100) == (HTTPStatus.OK, expected)
        assert listed(token_client, ordering=ordering, page_size=100) == (HTTPStatus.OK, expected)
        transaction.set_rollback(True)
