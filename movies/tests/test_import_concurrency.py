"""Imports at the same time, and imports that die: two imports of one file make each film
once; an import killed half-way (its process, or the server's worker) leaves the list as it
was. Each step waits for what the database or the process shows (a session waiting on a
lock, a line the import prints), never for a while."""

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from http.client import HTTPConnection, HTTPException
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection, connections

from movies.importing import Refused, Upload, engine, import_films
from movies.models import Movie
from movies.tests.import_support import films, sample_bytes
from watchlist.tests.live import (
    BASE_DIR,
    Gunicorn,
    fresh_database_url,
    manage,
    postgres_url,
    server_env,
)

pytestmark = pytest.mark.django_db(transaction=True)  # other sessions see what is written

ON_POSTGRES = connection.vendor == "postgresql"
WATCHLIST = sample_bytes("imdb/watchlist.csv")


def wait_until(condition, what, seconds=60):
    """`condition()`'s first true value, read every 20 ms: a database announces no change."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"not {what} in {seconds} s"
        time.sleep(0.02)
    return value


class InThread(threading.Thread):
    """`work()` on a thread of its own, with its own database connection."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.result, self.error = work, None, None
        self.start()

    def run(self):
        try:
            self.result = self.work()
        except Exception as error:  # handed to the test, which asserts on it
            self.error = error
        finally:
            connections.close_all()


def sessions_waiting_on(lock_type, query_contains="", database=None):
    """The process ids of the sessions of `database` (the suite's own by default) that wait
    on a lock of `lock_type` ('advisory', 'transactionid'...)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND wait_event = %s AND query LIKE %s AND datname = coalesce(%s, current_database())"
            " AND pid <> pg_backend_pid()",
            [lock_type, f"%{query_contains}%", database],
        )
        return [pid for (pid,) in cursor.fetchall()]


def suite_database_url():
    return postgres_url(connection.settings_dict, connection.settings_dict["NAME"])


class OwnDatabase:
    """A new database of the suite's kind (a SQLite file, or a PostgreSQL database),
    migrated, for processes the test starts: `manage.py` runs on it, `rows()` reads it."""

    def __init__(self, tmp_path):
        self.url, self.cleanup = fresh_database_url(tmp_path)
        self.env = server_env(self.url, tmp_path)
        manage(self.env, "migrate", "-v0")

    def connect(self):
        if self.url.startswith("sqlite:"):
            return contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///")))
        return psycopg.connect(self.url, autocommit=True)

    def rows(self):
        with self.connect() as database:
            return database.execute("SELECT * FROM movies_movie ORDER BY id").fetchall()

    def import_file(self, path):
        return manage(self.env, "import_films", str(path))

    def close(self):
        if self.cleanup:
            self.cleanup()


@pytest.fixture
def own_database(tmp_path):
    database = OwnDatabase(tmp_path)
    yield database
    database.close()


# --- Two imports at once ------------------------------------------------------------------------


@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL pass (SQLite: the test below)")
def test_two_imports_of_one_file_at_once_make_each_film_once_on_postgresql():
    """Both imports start while the test holds their lock, and both wait on it (as
    pg_stat_activity shows); then the lock goes, and they run one after the other."""
    with psycopg.connect(
        postgres_url(connection.settings_dict, connection.settings_dict["NAME"])
    ) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [engine.IMPORT_LOCK])
        imports = [
            InThread(lambda: import_films([Upload.from_bytes("watchlist.csv", WATCHLIST)]))
            for _ in range(2)
        ]
        wait_until(
            lambda: len(sessions_waiting_on("advisory")) == 2 or any(i.error for i in imports),
            "both imports waiting on the import lock",
        )
        holder.execute("SELECT pg_advisory_unlock(%s)", [engine.IMPORT_LOCK])
        for each in imports:
            each.join(timeout=60)

    assert [each.error for each in imports] == [None, None]
    reports = sorted((i.result.created, i.result.unchanged) for i in imports)
    assert reports == [(0, 9), (9, 0)]
    assert len(films()) == 9
    assert len({row[0] for row in films()}) == 9


# The import of a file, in a process of its own: it says when it begins its transaction
# (SQLite takes the database's write lock with it) and prints its report.
ANNOUNCED_IMPORT = """
import json, sys
from django.db import connection
from movies.importing import Upload, import_films

def announce(execute, sql, params, many, context):
    if sql.startswith("BEGIN"):
        print("BEGIN", file=sys.stderr, flush=True)
    return execute(sql, params, many, context)

with connection.execute_wrapper(announce):
    report = import_films([Upload.from_path({path!r})])
print(json.dumps(report.as_dict()))
"""


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite pass (PostgreSQL: the test above)")
def test_two_imports_of_one_file_at_once_make_each_film_once_on_sqlite(own_database, tmp_path):
    """Two processes on one SQLite file, as two gunicorn workers: both reach the start of
    their transaction while the test holds the database's write lock, then run one after
    the other."""
    path = tmp_path / "watchlist.csv"
    path.write_bytes(WATCHLIST)
    holder = sqlite3.connect(own_database.url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        imports = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "shell",
                    "-v0",
                    "-c",
                    ANNOUNCED_IMPORT.format(path=str(path)),
                ],
                cwd=BASE_DIR,
                env=own_database.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for each in imports:
            line = each.stderr.readline()
            assert line == "BEGIN\n", line + each.stderr.read()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    outputs = [each.communicate(timeout=120) for each in imports]

    assert [each.returncode for each in imports] == [0, 0], outputs
    reports = sorted(
        (report["created"], report["unchanged"])
        for report in (json.loads(out) for out, _ in outputs)
    )
    assert reports == [(0, 9), (9, 0)]
    rows = own_database.rows()
    assert len(rows) == 9
    assert len({row[1] for row in rows}) == 9


# --- An import killed half-way ------------------------------------------------------------------


def big_file(count):
    """A header and `count` films, as this site's CSV export writes them."""
    yield b"title,release_year,is_watched\n"
    for n in range(count):
        yield f"Film {n},{1900 + n % 120},true\n".encode()


def feed(pipe, lines, killed):
    """Writes `lines` into the pipe, and keeps it open (more to come, for the reader) until
    the reader is killed."""
    with contextlib.suppress(BrokenPipeError), open(pipe, "wb") as writer:
        writer.writelines(lines)
        writer.flush()
        killed.wait(timeout=120)


def test_an_import_killed_half_way_leaves_nothing_behind(own_database, tmp_path):
    """`import_films` reads a pipe; once it says 10,000 rows are read (and written, in its
    transaction), it is killed. The list is as it was, and the next import runs."""
    before_file = tmp_path / "diary.csv"
    before_file.write_bytes(sample_bytes("letterboxd/export/diary.csv"))
    own_database.import_file(before_file)
    before = own_database.rows()
    assert len(before) == 8

    pipe = tmp_path / "films.csv"
    os.mkfifo(pipe)
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_films", str(pipe)],
        cwd=BASE_DIR,
        env=own_database.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed = threading.Event()
    feeding = threading.Thread(target=feed, args=(pipe, big_file(15_000), killed), daemon=True)
    feeding.start()
    try:
        line = importer.stderr.readline()
        assert line == "10,000 rows read\n", line + importer.stderr.read()
        assert own_database.rows() == before  # written, in a transaction not committed
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=60)
    finally:
        killed.set()
        feeding.join(timeout=60)

    assert importer.returncode == -signal.SIGKILL
    if ON_POSTGRES:
        database = urlsplit(own_database.url).path.lstrip("/")
        wait_until(
            lambda: not session_count(own_database),
            "the killed import's session gone",
        )
        assert not sessions_waiting_on("advisory", database=database)
    assert own_database.rows() == before
    # Nothing is left holding a lock: the next import runs, and adds its films.
    after_file = tmp_path / "lists-watchlist.json"
    after_file.write_bytes(sample_bytes("trakt/lists-watchlist.json"))
    assert own_database.import_file(after_file).splitlines()[-1] == "Imported."
    assert len(own_database.rows()) == 8 + 4


def session_count(database):
    """How many sessions other than the caller's are connected to `database` (PostgreSQL)."""
    with database.connect() as session:
        return session.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchone()[0]


# --- A server's worker killed half-way -----------------------------------------------------------

STAFF = """
from django.contrib.auth import get_user_model
from accounts.tokens import issue_token
from movies.models import Movie
user = get_user_model().objects.create_user("curator", is_staff=True, is_superuser=True)
Movie.objects.create(title="Held", release_year=1999, imdb_id="tt0000099")
print(issue_token(user)[1])
"""


def multipart(name, data):
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL pass")
def test_a_worker_killed_during_an_import_leaves_nothing_behind(own_database, tmp_path):
    """POST /api/import/ to gunicorn: its first 1,000 films are written (in the import's
    transaction) when it meets a film whose row the test holds locked; while it waits there,
    as pg_stat_activity shows, its worker is killed."""
    token = manage(own_database.env, "shell", "-v0", "-c", STAFF).split()[-1]
    before = own_database.rows()
    data = b"".join(big_file(1_000)) + b"Held,1999,true\n"
    body, content_type = multipart("films.csv", data)
    server = Gunicorn(own_database.env, tmp_path / "gunicorn.log", workers=1)
    database = urlsplit(own_database.url).path.lstrip("/")
    answered = {}
    try:
        with own_database.connect() as holder, holder.transaction():
            holder.execute("SELECT * FROM movies_movie WHERE imdb_id = 'tt0000099' FOR UPDATE")

            def post():
                client = HTTPConnection("127.0.0.1", server.port, timeout=120)
                try:
                    client.request(
                        "POST",
                        "/api/import/",
                        body,
                        {"Authorization": f"Token {token}", "Content-Type": content_type},
                    )
                    answered["status"] = client.getresponse().status
                except (OSError, HTTPException) as error:
                    answered["error"] = error
                finally:
                    client.close()

            request = threading.Thread(target=post, daemon=True)
            request.start()
            [blocked] = wait_until(
                lambda: sessions_waiting_on("transactionid", "FOR UPDATE", database),
                "the import waiting for the locked film",
            )
            assert len(own_database.rows()) == len(before)  # its 1,000 are not committed
            [worker] = server.worker_pids()
            os.kill(worker, signal.SIGKILL)
            request.join(timeout=60)
        # The test's lock is gone: the import's session goes on, finds its client gone, and
        # rolls back.
        wait_until(
            lambda: not backend_alive(own_database, blocked), "the killed worker's session gone"
        )
    finally:
        server.stop()

    assert "status" not in answered, answered
    assert own_database.rows() == before


def backend_alive(database, pid):
    with database.connect() as session:
        return (
            session.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
            is not None
        )


@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL pass (SQLite: one writer at once)")
def test_an_id_taken_while_an_import_runs_is_a_409_and_nothing_is_written():
    """A film given one of the import's ids by another request after the import looked for
    it: the import cannot write, and says so; none of its films stay."""
    Movie.objects.create(title="Held", release_year=1999)
    # Its second batch looks for the IMDb id (free), then for "Held" (locked: it waits).
    data = b"title,release_year,imdb_id\n" + b"".join(
        f"Film {n},2000,\n".encode() for n in range(1_000)
    )
    data += b"Taken,2001,tt0000042\nHeld,1999,\n"
    with psycopg.connect(suite_database_url()) as holder, holder.transaction():
        holder.execute("SELECT * FROM movies_movie WHERE title = 'Held' FOR UPDATE")
        running = InThread(lambda: import_films([Upload.from_bytes("films.csv", data)]))
        wait_until(
            lambda: sessions_waiting_on("transactionid", "FOR UPDATE") or running.error,
            "the import waiting for the locked film",
        )
        # Meanwhile another writer gives a film the id that the import is about to give.
        Movie.objects.create(title="Came first", release_year=2020, imdb_id="tt0000042")
    running.join(timeout=60)

    assert isinstance(running.error, Refused), running.error
    assert (running.error.status, running.error.message) == (
        409,
        "While the import ran, another change gave a film one of the IMDb ids it imports; "
        "nothing was imported. Import again.",
    )
    assert [row[0] for row in films()] == ["Came first", "Held"]
