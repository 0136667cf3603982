"""The import writes the films it makes with one INSERT of its own (movies.importing.engine,
insert_new_films): the rows are those the ORM writes for the same films."""

from pathlib import Path

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings

from movies.importing import Upload, engine, import_films
from movies.models import Movie
from movies.search import POSTGRES_INDEX as INDEX
from movies.tests.test_import_roundtrip import film_lists
from movies.tests.test_search import found, sqlite_index_is_consistent

SAMPLES = Path(__file__).parent / "samples"
BAD_RATINGS = (
    b"Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,"
    b"Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
    b'tt0133093,9,2026-01-01,"The Matrix","The Matrix",https://www.imdb.com/title/tt0133093,'
    b'Movie,8.7,136,1999,"Action, Sci-Fi",2215161,"1999-09-03","Lana Wachowski"\n'
    b'tt0000001,11,2026-01-01,"Too Good","Too Good",https://www.imdb.com/title/tt0000001,'
    b'Movie,8.7,136,1999,"Action",1,"1999-09-03","Nobody"\n'
)

pytestmark = pytest.mark.django_db

COLUMNS = [*engine.COLUMNS, "title_folded"]


def stored():
    return list(Movie.objects.order_by("pk").values_list(*COLUMNS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(films=film_lists())
def test_the_import_writes_the_rows_the_orm_writes(films):
    Movie.objects.all().delete()
    for fields in films:
        Movie.objects.create(**fields)
    by_the_orm = stored()
    Movie.objects.all().delete()

    catalog = engine.Catalog(lock_rows=False)
    for fields in films:
        model = Movie(**fields)
        model.derive_dates()  # what save() does; the engine's entries come with both
        catalog.films.append(
            engine.Film(**{name: getattr(model, name) for name in engine.COLUMNS})
        )
    engine.insert_new_films(catalog)

    assert stored() == by_the_orm


@pytest.fixture
def sample_ratings():
    return Upload.from_path(SAMPLES / "imdb" / "ratings.csv")


def index_kept_as_it_was():
    """SQLite: the index matches the films, its triggers in place. PostgreSQL: the GIN index
    keeps its pending list of 64 kB (an import changes no setting of it)."""
    if connection.vendor == "sqlite":
        return sqlite_index_is_consistent()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = to_regclass(%s)", [INDEX])
        (options,) = cursor.fetchone()
    return options == ["fastupdate=on", "gin_pending_list_limit=64"]


def test_films_an_import_makes_are_in_the_search_index(anon_client, sample_ratings):
    """The import indexes its films at its end, not one by one (search_index.bulk_inserts):
    the index is whole after it, and as it was for the next write."""
    import_films([sample_ratings])
    Movie.objects.create(title="Matrix Revisited", release_year=2001)

    assert index_kept_as_it_was()
    assert found(anon_client, "MATRIX") == ["The Matrix", "Matrix Revisited"]


def test_an_aborted_import_leaves_the_index_and_its_trigger_as_they_were(anon_client):
    report = import_films([Upload.from_bytes("ratings.csv", BAD_RATINGS)])
    Movie.objects.create(title="The Matrix", release_year=1999)

    assert not report.written
    assert index_kept_as_it_was()
    assert found(anon_client, "matrix") == ["The Matrix"]
