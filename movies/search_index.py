"""The title search's database objects (movies.search): the one definition of each.

Migration 0002 creates the fold function (and the column), 0003 the index: on PostgreSQL
CONCURRENTLY, outside a transaction, so that writes go on while it is built; 0006 makes the
function fold accents too and folds the stored titles anew (`refold`);
`ensure_search_index` runs after every `migrate` and puts back the SQLite triggers when a
later migration has rebuilt the films table (SQLite's ALTER TABLE is a copy, which drops a
table's triggers); the benchmark drops the index before a bulk load and creates it after. A
change here changes what migrations 0002 and 0003 do on a new database: give existing
databases a migration of their own.

PostgreSQL needs the pg_trgm extension, which the migration creates. Since PostgreSQL 13
pg_trgm is a trusted extension: a user with CREATE privilege on the database (its owner,
for instance) may create it; otherwise an administrator runs `CREATE EXTENSION pg_trgm;` in
the database before `migrate`, which then finds it and goes on.
"""

import json
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from movies.casefolding import CASE_FOLDING, compose
from movies.search import (
    FOLD_FUNCTION,
    POSTGRES_INDEX,
    SQLITE_INDEX,
    register_sqlite_functions,
)

FILMS = "movies_movie"

# The fold as SQL (SQLite's is a Python function, movies.search.fold_case). ASCII text,
# most titles, is lowered under the C collation, which folds A-Z and nothing else, by an
# SQL-standard body PostgreSQL inlines; anything else goes on to a per-character lookup
# in the table (PL/pgSQL, ~1 µs a character; `translate()` with the whole table scans it
# for every character, 10 to 30 times slower). "ASCII" is told by a text's bytes equalling
# its characters, which holds only in UTF8 (in a one-byte encoding such as LATIN1 every
# text would pass for ASCII and lose its folds): the database must be UTF8.
POSTGRES_ENCODING = "UTF8"
# The fold before migration 0006, case alone: what 0002 creates, and 0006 puts back in reverse.
CASE_FOLD = compose(CASE_FOLDING, {})
# Created when missing (a managed database may have it from an administrator); never dropped
# by a reverse migration, as other objects may use it.
POSTGRES_EXTENSION = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]


def postgres_fold(folding):
    """The statements that make `movies_fold_case` fold as `folding` (a `str.translate`
    table) does; they replace the functions of the same name, which the generated column
    and the indexes keep using (the stored titles then need folding again: `refold`)."""
    beyond_ascii = json.dumps({chr(source): target for source, target in folding.items()})
    return [
        f"""
        CREATE OR REPLACE FUNCTION {FOLD_FUNCTION}_beyond_ascii(text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fold$
        DECLARE
            chars text[] := string_to_array($1, NULL);
        BEGIN
            FOR i IN 1 .. coalesce(array_length(chars, 1), 0) LOOP
                chars[i] := coalesce('{beyond_ascii}'::jsonb ->> chars[i], chars[i]);
            END LOOP;
            RETURN array_to_string(chars, '');
        END
        $fold$
        """,
        f"""
        CREATE OR REPLACE FUNCTION {FOLD_FUNCTION}(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN CASE WHEN octet_length($1) = char_length($1) THEN lower($1 COLLATE "C")
                    ELSE {FOLD_FUNCTION}_beyond_ascii($1) END
        """,
    ]


POSTGRES_UNFOLD = [
    f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}(text)",
    f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}_beyond_ascii(text)",
]

# `title` set to itself: the generated column is computed again, the SQLite triggers fire.
REFOLD = f"UPDATE {FILMS} SET title = title WHERE title_folded <> {FOLD_FUNCTION}(title)"

CONCURRENTLY = {True: "CONCURRENTLY ", False: ""}
# {concurrently} is one of those: concurrently, PostgreSQL builds the index while
# the table takes writes (it cannot, and need not, run in a transaction), and a build that
# fails or is interrupted leaves an INVALID index behind, which `create_search_index`
# drops before building again.
# New titles' trigrams go to the index's pending list, and into the index, sorted, whenever
# it passes 64 kB (about a hundred titles): an import's inserts take half the time that one
# insertion per trigram takes, and a search reads at most those 64 kB besides the index.
PENDING_LIST = "fastupdate = on, gin_pending_list_limit = 64"
POSTGRES_CREATE = (
    "CREATE INDEX {concurrently}IF NOT EXISTS"
    f" {POSTGRES_INDEX} ON {FILMS} USING gin (title_folded gin_trgm_ops) WITH ({PENDING_LIST})"
)
# Migration 0007: the index made before with fastupdate off (every trigram inserted at once).
POSTGRES_PENDING_LIST = f"ALTER INDEX IF EXISTS {POSTGRES_INDEX} SET ({PENDING_LIST})"
POSTGRES_NO_PENDING_LIST = (
    f"ALTER INDEX IF EXISTS {POSTGRES_INDEX} SET (fastupdate = off);"
    f" ALTER INDEX IF EXISTS {POSTGRES_INDEX} RESET (gin_pending_list_limit)"
)
POSTGRES_DROP = f"DROP INDEX {{concurrently}}IF EXISTS {POSTGRES_INDEX}"
POSTGRES_INVALID = "SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(%s) AND NOT indisvalid"

# SQLite: an FTS5 index of the folded titles, whose text stays in the films table (external
# content); `detail=none` keeps only which films hold each trigram (SQLite checks every
# candidate against the pattern itself), `columnsize=0` drops the sizes that ranking needs.
# The triggers call no function: the generated column already holds the folded title.
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_INDEX} USING fts5(title_folded,"
    f" content='{FILMS}', content_rowid='id', tokenize='trigram case_sensitive 1',"
    " detail='none', columnsize=0)"
)
ADD = f"INSERT INTO {SQLITE_INDEX} (rowid, title_folded) VALUES (new.id, new.title_folded);"
REMOVE = (
    f"INSERT INTO {SQLITE_INDEX} ({SQLITE_INDEX}, rowid, title_folded)"
    " VALUES ('delete', old.id, old.title_folded);"
)
SQLITE_TRIGGERS = {
    f"{SQLITE_INDEX}_insert": f"AFTER INSERT ON {FILMS} BEGIN {ADD} END",
    f"{SQLITE_INDEX}_update": f"AFTER UPDATE OF id, title ON {FILMS} BEGIN {REMOVE} {ADD} END",
    f"{SQLITE_INDEX}_delete": f"AFTER DELETE ON {FILMS} BEGIN {REMOVE} END",
}
SQLITE_REBUILD = [
    f"INSERT INTO {SQLITE_INDEX} ({SQLITE_INDEX}) VALUES ('rebuild')",
    f"INSERT INTO {SQLITE_INDEX} ({SQLITE_INDEX}) VALUES ('optimize')",
]
SQLITE_CREATE = [
    SQLITE_TABLE,
    *(f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in SQLITE_TRIGGERS.items()),
    *SQLITE_REBUILD,
]
SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    f"DROP TABLE IF EXISTS {SQLITE_INDEX}",
]


def run(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def create_fold_function(connection, folding):
    if connection.vendor == "postgresql":
        check_encoding(connection)
        run(connection, [*POSTGRES_EXTENSION, *postgres_fold(folding)])


def check_encoding(connection):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        (encoding,) = cursor.fetchone()
    if encoding != POSTGRES_ENCODING:
        raise ImproperlyConfigured(
            f"The title search needs a PostgreSQL database encoded in {POSTGRES_ENCODING}; "
            f"database {connection.settings_dict['NAME']!r} is {encoding}. Create it with "
            f"CREATE DATABASE ... ENCODING '{POSTGRES_ENCODING}' TEMPLATE template0 (and a "
            "UTF-8 locale, or LOCALE 'C'), then migrate again."
        )


def drop_fold_function(connection):
    if connection.vendor == "postgresql":
        run(connection, POSTGRES_UNFOLD)


def refold(connection, folding):
    """Migration 0006: the fold function made from `folding`, and the folded title of every
    film it folds otherwise computed again, with the indexes over it, in one transaction.

    On PostgreSQL the functions are replaced under a SHARE lock on the films table: reads
    go on, writes wait until the commit (and the lock waits for the writes in progress),
    so that no film is written with the old fold after the refolding has read past it. Only
    the titles whose fold changes are written (the UPDATE sets `title` for the generated
    column to be computed again); the trigram index takes them through its pending list.
    On SQLite, whose function is the running code's, `folding` is registered on the
    connection for the statement, and the write lock keeps other writers out."""
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            run(connection, [f"LOCK TABLE {FILMS} IN SHARE MODE", *postgres_fold(folding)])
            with bulk_inserts(connection):
                run(connection, [REFOLD])
        elif connection.vendor == "sqlite":
            sqlite = connection.connection
            sqlite.create_function(
                FOLD_FUNCTION,
                1,
                lambda text: None if text is None else text.translate(folding),
                deterministic=True,
            )
            try:
                run(connection, [REFOLD])
            finally:
                register_sqlite_functions(None, connection)


def create_search_index(connection, concurrently=False):
    """The index over the films' folded titles, filled from the films already there.

    `concurrently` (migration 0003), on PostgreSQL: built while the table takes writes, in
    autocommit (outside any transaction), after dropping what an interrupted build left.
    On SQLite, in one transaction either way, and nothing to do when the index is there."""
    if connection.vendor == "postgresql":
        if concurrently and invalid_postgres_index(connection):
            run(connection, [POSTGRES_DROP.format(concurrently=CONCURRENTLY[True])])
        run(connection, [POSTGRES_CREATE.format(concurrently=CONCURRENTLY[concurrently])])
    elif connection.vendor == "sqlite" and not sqlite_index_complete(connection):
        with transaction.atomic(using=connection.alias):
            run(connection, SQLITE_CREATE)


def drop_search_index(connection, concurrently=False):
    if connection.vendor == "postgresql":
        run(connection, [POSTGRES_DROP.format(concurrently=CONCURRENTLY[concurrently])])
    elif connection.vendor == "sqlite":
        with transaction.atomic(using=connection.alias):
            run(connection, SQLITE_DROP)


def invalid_postgres_index(connection):
    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_INVALID, [POSTGRES_INDEX])
        return cursor.fetchone() is not None


def sqlite_index_objects(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name = %s OR tbl_name = %s",
            [SQLITE_INDEX, FILMS],
        )
        return {name for _, name in cursor.fetchall()}


def sqlite_index_complete(connection):
    return {SQLITE_INDEX, *SQLITE_TRIGGERS} <= sqlite_index_objects(connection)


def ensure_search_index(connection):
    """After `migrate`: on SQLite, the triggers back if a table rebuild dropped them, and
    the index rebuilt from the films (it may have missed changes in between)."""
    if connection.vendor != "sqlite":
        return
    present = sqlite_index_objects(connection)
    if SQLITE_INDEX in present and not set(SQLITE_TRIGGERS) <= present:
        create_search_index(connection)


@contextmanager
def bulk_inserts(connection):
    """Around many films inserted in one transaction (an import), on SQLite: they are added
    to the index all at once at the end, instead of one by one by the insert trigger, which
    is set aside meanwhile. (FTS5 writes its pending entries out at the end of every
    statement that touches it: a trigger makes that once per bulk INSERT of ~100 films, a
    third of an import's time.) The trigger is back before the transaction ends; if the
    transaction rolls back, so does all of this.

    Nothing to do on PostgreSQL: its GIN index takes every write's titles through a pending
    list of 64 kB (POSTGRES_CREATE). (Changing the index's settings for an import alone would
    lock the index against every read of the films until the import ends.)"""
    if not connection.in_atomic_block:
        raise RuntimeError("bulk_inserts() needs a transaction")
    if connection.vendor != "sqlite":
        yield
        return
    insert = f"{SQLITE_INDEX}_insert"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {FILMS}")
        (last,) = cursor.fetchone()
        cursor.execute(f"DROP TRIGGER {insert}")
    yield
    if transaction.get_rollback(using=connection.alias):
        return  # the rollback puts the trigger back
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SQLITE_INDEX} (rowid, title_folded)"
            f" SELECT id, title_folded FROM {FILMS} WHERE id > %s",
            [last],
        )
        cursor.execute(f"CREATE TRIGGER {insert} {SQLITE_TRIGGERS[insert]}")
