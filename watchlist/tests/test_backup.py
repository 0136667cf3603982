"""Backups with dumpdata/loaddata round-trip exactly, within and across backends."""

import json
import os

import psycopg
import pytest

from watchlist.tests.live import fresh_database_url, manage, server_env

FILMS = """
from datetime import date, datetime, UTC
from movies.models import Movie
Movie.objects.bulk_create([
    Movie(title="Fight Club", release_date=date(1999, 9, 15)),
    Movie(title="Amélie 🎬 فيلم", release_date=date(2001, 4, 25), is_watched=True,
          watched_at=datetime(2026, 11, 27, 10, 30, 15, 123456, tzinfo=UTC)),
    Movie(title="x" * 128, release_date=date(1927, 1, 10)),
    Movie(title='Quotes "and" \\\\backslashes', release_date=date(2010, 7, 16), is_watched=True,
          watched_at=datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)),
])
Movie.objects.filter(title="Fight Club").delete()  # a gap in the ids must survive too
"""


@pytest.fixture
def databases(tmp_path):
    """Fresh databases, migrated: the suite's backend as the source, both as targets."""
    made, cleanups = {}, []
    try:
        for name, backend in [("source", None), ("sqlite", "sqlite"), ("postgres", "postgres")]:
            try:
                url, cleanup = fresh_database_url(tmp_path, backend)
            except psycopg.OperationalError as error:
                if os.environ.get("CI"):
                    raise
                pytest.skip(f"no PostgreSQL server for the cross-backend restore: {error}")
            cleanups.append(cleanup)
            made[name] = server_env(url, tmp_path)
            manage(made[name], "migrate", "-v0")
        yield made
    finally:
        for cleanup in filter(None, cleanups):
            cleanup()


def dump(env):
    return json.loads(manage(env, "dumpdata", "movies", "--indent", "2"))


@pytest.mark.parametrize("target", ["sqlite", "postgres"])
def test_dump_loads_into_a_fresh_database_unchanged(databases, tmp_path, target):
    manage(databases["source"], "shell", "-v0", "-c", FILMS)
    backup = tmp_path / "movies.json"
    manage(databases["source"], "dumpdata", "movies", "--indent", "2", "--output", str(backup))

    manage(databases[target], "loaddata", str(backup), "-v0")

    original = json.loads(backup.read_text())
    assert len(original) == 3
    assert dump(databases[target]) == original


def test_restored_database_gives_new_films_fresh_ids(databases, tmp_path):
    manage(databases["source"], "shell", "-v0", "-c", FILMS)
    backup = tmp_path / "movies.json"
    manage(databases["source"], "dumpdata", "movies", "--output", str(backup))
    manage(databases["postgres"], "loaddata", str(backup), "-v0")

    new_id = manage(
        databases["postgres"],
        "shell",
        "-v0",
        "-c",
        "from datetime import date; from movies.models import Movie;"
        "print(Movie.objects.create(title='Memento', release_date=date(2000, 10, 11)).id)",
    ).split()[-1]

    assert int(new_id) > max(entry["pk"] for entry in json.loads(backup.read_text()))
