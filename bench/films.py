"""Films for the benchmark: made-up titles, loaded in bulk, then indexed.

    python manage.py shell -c "from bench.films import load; load(1_000_000)"

A million films load in well under a minute: the search index is dropped, the rows go in
as one bulk statement (SQLite: `executemany` in one transaction; PostgreSQL: `COPY`), and
the index is created after, from the films, by the same code as migration 0003
(`movies.search_index`). Prints what it did as one JSON line.

Titles look like "The Dark City Qhxkzpa": an optional "The", one or two common words, and
a name of seven letters that no other film has, so that the search has rare and common
texts at every size: a film's name matches that film only, "the" half of them.
"""

import json
import time
from datetime import UTC, date, datetime, timedelta

WORDS = (  # noqa: SIM905 (a list of words reads better as words)
    "Dark City House Night Love Last Day Blood Star War Story Life King Dead Girl World "
    "Time Return Secret Black Little Great Lost Summer Road Home Red Winter Ghost River "
    "Silent Golden Broken Wild Heart Shadow Empire Island Storm Dream Fire"
).split()
FIRST_NAME_FILM = 54_321  # the film whose name is the benchmark's rare search
LETTERS = "abcdefghijklmnopqrstuvwxyz"
NAME_SPACE = 26**7
STEP = 2_654_435_761  # coprime with 26: n -> n * STEP is a bijection modulo 26**7


def name(n):
    """Seven letters, different for every n below 26**7."""
    code = (n * STEP + 12_345) % NAME_SPACE
    letters = []
    for _ in range(7):
        code, digit = divmod(code, 26)
        letters.append(LETTERS[digit])
    return "".join(letters).capitalize()


def title(n):
    mixed = (n * 40_503) % 65_536
    words = [WORDS[mixed % len(WORDS)]]
    if mixed & 1:
        words.append(WORDS[(mixed >> 5) % len(WORDS)])
    if mixed & 2:
        words.insert(0, "The")
    return " ".join([*words, name(n)])


RARE_SEARCH = name(FIRST_NAME_FILM).upper()  # one film, in another case than its title
COMMON_SEARCH = "the"


def rows(count, first=0):
    epoch, start = date(1950, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(first, first + count):
        watched = n % 3 == 0
        yield (
            title(n),
            epoch + timedelta(days=n % 25_000),
            watched,
            start + timedelta(minutes=n) if watched else None,
        )


def load(count):
    """Add `count` films to the project's database, with the search index rebuilt after."""
    from django.db import connection, transaction

    from movies.search_index import create_search_index, drop_search_index

    # The values as Django stores them (on SQLite: text, naive UTC), with the release year
    # and the day watched that the model derives from the date and the moment.
    ops = connection.ops
    films = (
        (
            title,
            ops.adapt_datefield_value(day),
            day.year,
            watched,
            ops.adapt_datetimefield_value(moment),
            ops.adapt_datefield_value(moment.date()) if moment else None,
        )
        for title, day, watched, moment in rows(count)
    )
    started = time.monotonic()
    with transaction.atomic():
        drop_search_index(connection)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                copy = (
                    "COPY movies_movie (title, release_date, release_year, is_watched,"
                    " watched_at, watched_on) FROM STDIN"
                )
                with cursor.cursor.copy(copy) as rows_in:
                    for film in films:
                        rows_in.write_row(film)
            else:
                # The title index takes the rows in title order, not id order: with SQLite's
                # 2 MB page cache each insert would read pages back from the file.
                cursor.execute("PRAGMA cache_size = -262144")
                cursor.executemany(
                    "INSERT INTO movies_movie (title, release_date, release_year, is_watched,"
                    " watched_at, watched_on) VALUES (%s, %s, %s, %s, %s, %s)",
                    films,
                )
        loaded = time.monotonic()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        create_search_index(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE movies_movie")
    done = time.monotonic()
    print(
        json.dumps(
            {
                "films": count,
                "insert_s": round(loaded - started, 1),
                "index_s": round(done - loaded, 1),
                "index_bytes": index_size(connection),
            }
        )
    )


def index_size(connection):
    """The search index's bytes: the GIN index, or the FTS5 tables' pages (its text stays
    in the films table, as the generated column `title_folded`)."""
    from movies.search import POSTGRES_INDEX, SQLITE_INDEX

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_relation_size(%s)", [POSTGRES_INDEX])
        else:
            cursor.execute(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE %s",
                [f"{SQLITE_INDEX}%"],
            )
        return cursor.fetchone()[0]
