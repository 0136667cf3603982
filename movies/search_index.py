"""The title search's database objects (movies.search): the one definition of each.

Migration 0002 creates them; `ensure_search_index` runs after every `migrate` and puts back
the SQLite triggers when a later migration has rebuilt the films table (SQLite's ALTER TABLE
is a copy, which drops a table's triggers); the benchmark drops the index before a bulk load
and creates it after. A change here changes what migration 0002 does on a new database:
give existing databases a migration of their own.

PostgreSQL needs the pg_trgm extension, which the migration creates. Since PostgreSQL 13
pg_trgm is a trusted extension: a user with CREATE privilege on the database (its owner,
for instance) may create it; otherwise an administrator runs `CREATE EXTENSION pg_trgm;` in
the database before `migrate`, which then finds it and goes on.
"""

import json

from movies.casefolding import FOLDING
from movies.search import FOLD_FUNCTION, POSTGRES_INDEX, SQLITE_INDEX

FILMS = "movies_movie"

# The fold as SQL (SQLite's is a Python function, movies.search.fold_case). ASCII text,
# most titles, is lowered under the C collation, which folds A-Z and nothing else, by an
# SQL-standard body PostgreSQL inlines; anything else goes on to a per-character lookup
# in the table (PL/pgSQL, ~1 µs a character; `translate()` with the whole table scans it
# for every character, 10 to 30 times slower).
BEYOND_ASCII = json.dumps({chr(source): chr(target) for source, target in FOLDING.items()})
# Created when missing (a managed database may have it from an administrator); never dropped
# by a reverse migration, as other objects may use it.
POSTGRES_EXTENSION = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
POSTGRES_FOLD = [
    f"""
    CREATE FUNCTION {FOLD_FUNCTION}_beyond_ascii(text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fold$
    DECLARE
        chars text[] := string_to_array($1, NULL);
    BEGIN
        FOR i IN 1 .. coalesce(array_length(chars, 1), 0) LOOP
            chars[i] := coalesce('{BEYOND_ASCII}'::jsonb ->> chars[i], chars[i]);
        END LOOP;
        RETURN array_to_string(chars, '');
    END
    $fold$
    """,
    f"""
    CREATE FUNCTION {FOLD_FUNCTION}(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN octet_length($1) = char_length($1) THEN lower($1 COLLATE "C")
                ELSE {FOLD_FUNCTION}_beyond_ascii($1) END
    """,
]
POSTGRES_UNFOLD = [
    f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}(text)",
    f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}_beyond_ascii(text)",
]

POSTGRES_CREATE = [
    f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON {FILMS} USING gin (title_folded gin_trgm_ops)"
    " WITH (fastupdate = off)"
]
POSTGRES_DROP = [f"DROP INDEX IF EXISTS {POSTGRES_INDEX}"]

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

CREATE = {"postgresql": POSTGRES_CREATE, "sqlite": SQLITE_CREATE}
DROP = {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}


def run(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def create_fold_function(connection):
    if connection.vendor == "postgresql":
        run(connection, [*POSTGRES_EXTENSION, *POSTGRES_FOLD])


def drop_fold_function(connection):
    if connection.vendor == "postgresql":
        run(connection, POSTGRES_UNFOLD)


def create_search_index(connection):
    """The index over the films' folded titles, filled from the films already there."""
    run(connection, CREATE.get(connection.vendor, ()))


def drop_search_index(connection):
    run(connection, DROP.get(connection.vendor, ()))


def ensure_search_index(connection):
    """After `migrate`: on SQLite, the triggers back if a table rebuild dropped them, and
    the index rebuilt from the films (it may have missed changes in between)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name = %s OR tbl_name = %s",
            [SQLITE_INDEX, FILMS],
        )
        present = {name for _, name in cursor.fetchall()}
    if SQLITE_INDEX in present and not set(SQLITE_TRIGGERS) <= present:
        create_search_index(connection)
