"""The title search's migrations on a live table: 0003 builds the index while the films take
writes (PostgreSQL: CREATE INDEX CONCURRENTLY, outside a transaction) and builds it again
after an interrupted build; 0002 refuses a PostgreSQL database that is not UTF8; 0006 folds
the titles already there anew, accents too, while reads go on.

Steps follow PostgreSQL's own view of the sessions (pg_stat_activity: who waits on a lock),
read until it shows what the step waits for, never after a sleep."""

import subprocess
import threading
import time
from contextlib import contextmanager
from http import HTTPStatus

import psycopg
import pytest
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from movies.models import Movie
from movies.search import FOLD_FUNCTION, POSTGRES_INDEX, SQLITE_INDEX, register_sqlite_functions
from movies.search_index import CASE_FOLD
from movies.tests.factories import make_movie
from movies.tests.test_search import sqlite_index_is_consistent
from watchlist.tests.live import drop_postgres_database, manage, postgres_url, server_env

pytestmark = pytest.mark.django_db(transaction=True)  # migrations, and other sessions

WITH_INDEX = ("movies", "0003_title_search_index")
WITHOUT_INDEX = ("movies", "0002_title_search")
ON_POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL pass")
ADD_FILM = (
    "INSERT INTO movies_movie (title, release_date, is_watched) VALUES (%s, '2001-01-19', false)"
)
WITH_ACCENTS = ("movies", "0006_titles_fold_accents")
BEFORE_ACCENTS = ("movies", "0005_translatable_names")
BEFORE_PENDING_LIST = ("movies", "0006_titles_fold_accents")
ADD_FILM_OF_A_YEAR = (
    "INSERT INTO movies_movie (title, release_date, release_year, is_watched)"
    " VALUES (%s, '2001-01-19', 2001, false)"
)


def migrate(target):
    MigrationExecutor(connection).migrate([target])


def migrate_to_latest():
    """The migrations after the index's too: the API reads the films as the model has them."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("movies"))


def found(client, text):
    response = client.get(reverse("movie-list"), {"search": text})
    assert response.status_code == HTTPStatus.OK
    return [film["title"] for film in response.json()]


def index_state():
    """'valid', 'invalid' (a build that did not finish) or None (no index)."""
    with connection.cursor() as cursor:
        if not ON_POSTGRES:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [SQLITE_INDEX])
            return "valid" if cursor.fetchone() else None
        cursor.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [POSTGRES_INDEX]
        )
        row = cursor.fetchone()
    return None if row is None else ("valid" if row[0] else "invalid")


def test_the_index_is_built_from_the_films_already_there(anon_client):
    migrate(WITHOUT_INDEX)
    assert index_state() is None
    with connection.cursor() as cursor:
        cursor.execute(ADD_FILM, ["Made before the index"])

    migrate(WITH_INDEX)
    with connection.cursor() as cursor:
        cursor.execute(ADD_FILM, ["Made after the index"])
    migrate_to_latest()

    assert index_state() == "valid"
    assert found(anon_client, "MADE") == ["Made before the index", "Made after the index"]


def test_the_index_migration_keeps_an_index_that_is_there(anon_client):
    """Databases that got the index from migration 0002 before 0003 existed."""
    make_movie("Indexed already")
    MigrationExecutor(connection).recorder.record_unapplied(*WITH_INDEX)

    migrate(WITH_INDEX)  # applies it alone: the later migrations are applied already

    assert MigrationExecutor(connection).loader.applied_migrations.keys() >= {WITH_INDEX}
    assert index_state() == "valid"
    assert found(anon_client, "already") == ["Indexed already"]


def database_url():
    return postgres_url(connection.settings_dict, connection.settings_dict["NAME"])


def wait_until(condition, what, seconds=60):
    """`condition()`'s first true value, read every 20 ms: PostgreSQL announces no change."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"not {what} in {seconds} s"
        time.sleep(0.02)
    return value


def session_waiting_on_a_lock(query_contains="", pid=None):
    """The process id of the session whose query contains the text (or of session `pid`),
    once it waits on a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE %s AND pid = coalesce(%s, pid) AND pid <> pg_backend_pid()",
            [f"%{query_contains}%", pid],
        )
        row = cursor.fetchone()
    return row and row[0]


class InThread(threading.Thread):
    """`work()` on a thread of its own (with its own database connection); `.error` after."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.error, self.done = work, None, threading.Event()
        self.start()

    def run(self):
        try:
            self.work()
        except Exception as error:  # handed to the test, which asserts on it
            self.error = error
        finally:
            connections.close_all()
            self.done.set()


def index_build_waiting_for(holder):
    """Starts migration 0003 while `holder` (a session with a write in progress) keeps its
    transaction open: the build waits for it. Returns the migration's thread and the
    process id of the session building the index."""
    holder.execute(ADD_FILM, ["Written before the build, committed during it"])
    migration = InThread(lambda: migrate(WITH_INDEX))
    builder = wait_until(
        lambda: migration.done.is_set() or session_waiting_on_a_lock(POSTGRES_INDEX),
        "the index build waiting for the write in progress",
    )
    assert migration.error is None, migration.error
    assert builder is not True, "the migration ended without waiting"
    return migration, builder


@postgres_only
def test_writes_go_on_while_the_index_is_built(anon_client):
    migrate(WITHOUT_INDEX)
    with psycopg.connect(database_url()) as holder:
        migration, _ = index_build_waiting_for(holder)

        # Built in a transaction, the index would hold a lock that writes queue behind.
        session = {}

        def write():
            with psycopg.connect(database_url(), autocommit=True) as writer:
                session["pid"] = writer.info.backend_pid
                writer.execute(ADD_FILM, ["Written while the index is built"])

        writer = InThread(write)
        wait_until(
            lambda: (
                writer.done.is_set()
                or ("pid" in session and session_waiting_on_a_lock(pid=session["pid"]))
            ),
            "the write done, or waiting",
        )
        assert writer.done.is_set(), "a write waited for the index build"
        assert writer.error is None, writer.error
        holder.commit()
    migration.join(timeout=60)

    assert migration.error is None, migration.error
    assert index_state() == "valid"
    migrate_to_latest()
    assert found(anon_client, "written") == [
        "Written before the build, committed during it",
        "Written while the index is built",
    ]


@postgres_only
def test_an_interrupted_index_build_is_built_again(anon_client):
    migrate(WITHOUT_INDEX)
    with psycopg.connect(database_url()) as holder:
        migration, builder = index_build_waiting_for(holder)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_cancel_backend(%s)", [builder])  # a deploy killed
        migration.join(timeout=60)
        holder.commit()
    assert isinstance(migration.error, DatabaseError), migration.error
    assert "canceling statement" in str(migration.error)
    assert index_state() == "invalid"  # what PostgreSQL leaves of a concurrent build

    migrate_to_latest()  # migrate, again

    assert index_state() == "valid"
    assert found(anon_client, "COMMITTED") == ["Written before the build, committed during it"]


@postgres_only
def test_a_database_not_in_utf8_stops_the_migration_saying_why(tmp_path):
    server = database_url().rsplit("/", 1)[0] + "/postgres"
    name = f"{connection.settings_dict['NAME']}_sql_ascii"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(
            f"CREATE DATABASE \"{name}\" ENCODING 'SQL_ASCII' LOCALE 'C' TEMPLATE template0"
        )
    try:
        env = server_env(server.rsplit("/", 1)[0] + f"/{name}", tmp_path)
        with pytest.raises(subprocess.CalledProcessError) as failed:
            manage(env, "migrate", "-v0")
        applied = manage(env, "showmigrations", "movies")
    finally:
        drop_postgres_database(server, name)

    assert (
        "The title search needs a PostgreSQL database encoded in UTF8; "
        f"database '{name}' is SQL_ASCII." in failed.value.stderr
    )
    assert "ENCODING 'UTF8' TEMPLATE template0" in failed.value.stderr
    assert "[X] 0001_initial" in applied
    assert "[ ] 0002_title_search" in applied


# --- 0006: the titles folded anew, accents too --------------------------------------------


def folded_titles():
    return dict(Movie.objects.values_list("title", "title_folded"))


@contextmanager
def previous_release():
    """Writes as the release before 0006 makes them: on PostgreSQL the database's function
    does (0006 in reverse put back the one that folds case alone); on SQLite the running
    code's, which was that one."""
    if not ON_POSTGRES:
        connection.ensure_connection()
        connection.connection.create_function(
            FOLD_FUNCTION, 1, lambda text: text.translate(CASE_FOLD), deterministic=True
        )
    try:
        yield
    finally:
        if not ON_POSTGRES:
            register_sqlite_functions(None, connection)


def test_the_accent_migration_folds_the_titles_already_there_anew(anon_client):
    make_movie("Amélie")
    make_movie("The Matrix")
    migrate(BEFORE_ACCENTS)  # in reverse: case alone
    with previous_release():
        make_movie("La Película")
    assert folded_titles() == {
        "Amélie": "amélie",
        "The Matrix": "the matrix",
        "La Película": "la película",
    }
    assert found(anon_client, "pelicula") == []

    migrate_to_latest()

    assert folded_titles() == {
        "Amélie": "amelie",
        "The Matrix": "the matrix",
        "La Película": "la pelicula",
    }
    assert found(anon_client, "pelicula") == ["La Película"]  # through the index
    assert found(anon_client, "AMELIE") == ["Amélie"]
    assert ON_POSTGRES or sqlite_index_is_consistent()


@postgres_only
def test_reads_go_on_and_a_write_in_progress_is_folded_anew(anon_client):
    """The refolding waits for the writes in progress (a film written with the old fold
    is folded anew) and holds writes back while it runs, never reads."""
    migrate(BEFORE_ACCENTS)
    make_movie("Déjà vu")
    with psycopg.connect(database_url()) as holder:
        holder.execute(ADD_FILM_OF_A_YEAR, ["Écrit avant, validé pendant"])
        migration = InThread(lambda: migrate(WITH_ACCENTS))
        refolding = wait_until(
            lambda: migration.done.is_set() or session_waiting_on_a_lock("LOCK TABLE"),
            "the refolding waiting for the write in progress",
        )
        assert migration.error is None, migration.error
        assert refolding is not True, "the migration ended without waiting"

        assert found(anon_client, "DÉJÀ") == ["Déjà vu"]  # a read, meanwhile
        holder.commit()
    migration.join(timeout=60)

    assert migration.error is None, migration.error
    migrate_to_latest()
    assert found(anon_client, "ecrit avant") == ["Écrit avant, validé pendant"]
    assert found(anon_client, "deja") == ["Déjà vu"]


def index_options():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = to_regclass(%s)", [POSTGRES_INDEX]
        )
        return cursor.fetchone()[0]


@postgres_only
def test_the_index_takes_new_titles_through_a_pending_list_of_64_kb(anon_client):
    make_movie("Amélie")
    migrate(BEFORE_PENDING_LIST)  # in reverse: every trigram into the index at once
    assert index_options() == ["fastupdate=off"]

    migrate_to_latest()

    assert index_options() == ["fastupdate=on", "gin_pending_list_limit=64"]
    make_movie("La Película")
    assert found(anon_client, "amelie") == ["Amélie"]
    assert found(anon_client, "PELICULA") == ["La Película"]  # from the pending list
