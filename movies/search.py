"""Title search: a substring match that ignores case and accents, with one meaning on every
database.

The meaning: a film matches when its title contains the search text once both are folded
character by character (`movies.casefolding`: Unicode 14.0, frozen): Unicode simple case
folding, and letters without their diacritics. "amelie" finds "Amélie", "EMILE" finds
"Émile", "Σ", "σ" and "ς" find each other, "K" (Kelvin) finds "k", "lodz" finds "Łódź",
and an accent typed as a combining mark ("e" + U+0301) is the same as the precomposed
letter. One character never becomes two, so "ß" and "ss", "æ" and "ae" stay different, and
the dotless "ı" is its own letter. `%`, `_`, `\\`, `*`, `?`, `[` and quotes are plain
characters.

Both databases compute the fold in SQL, with one function made from the one table
(`movies_fold_case`: a Python function registered on every SQLite connection, a SQL
function created by the migrations on PostgreSQL). Each film keeps its folded title in the
generated column `title_folded`, and the search is Django's `contains` on that column with
the search text folded by the same function, so the pattern is escaped in SQL. The same
column orders the films by title (`movies.models.TITLE_ORDER`).

The index (migration 0003): on PostgreSQL a pg_trgm GIN index on `title_folded`, which the
planner uses for the `LIKE`; on SQLite an FTS5 table with the trigram tokenizer over the
same column, kept in step by triggers, which the SQLite planner cannot choose by itself:
`TrigramIndex` puts it in the query's FROM clause. Texts shorter than three
characters have no trigram: both databases then read the folded titles until the page is
full, at worst one pass over them.
"""

import re
import sqlite3
from dataclasses import dataclass
from functools import partial

from django.core import checks
from django.db import connections
from django.db.models import CharField, Func, Value
from django.db.models.lookups import Contains

from movies.casefolding import FOLDING
from watchlist.internals.django import (
    anded_lookups,
    compile_expression,
    lookup_column,
    quote_name,
    read_table_through,
)
from watchlist.prepared import stored_fields

FOLD_FUNCTION = "movies_fold_case"
GLOB_FUNCTION = "movies_trigram_glob"  # SQLite only
SQLITE_INDEX = "movies_title_search"  # the FTS5 table
POSTGRES_INDEX = "movie_title_folded_trgm_idx"
GLOB_SPECIAL = re.compile(r"[\[*?]")


def fold_case(text):
    """The title search's fold (case and accents), one character at a time."""
    return None if text is None else text.translate(FOLDING)


class FoldCase(Func):
    """`movies_fold_case(text)` in SQL: `fold_case` computed by the database."""

    function = FOLD_FUNCTION
    arity = 1
    output_field = CharField()


def trigram_glob(text):
    """A GLOB pattern for SQLite's trigram index: it matches every folded title that
    contains the folded `text`, and maybe more (the query's `contains` condition decides).

    GLOB's special characters are escaped as one-character sets. A run of characters between
    them shorter than a trigram but three bytes or longer ("日本", "éé") becomes `?`s: FTS5
    before SQLite 3.41 counts bytes there, would look for trigrams of a two-character run,
    find none and match nothing.
    """
    if text is None:
        return None
    folded = fold_case(text)
    runs = GLOB_SPECIAL.split(folded)
    specials = [f"[{char}]" for char in GLOB_SPECIAL.findall(folded)] + [""]
    kept = (run if len(run) >= 3 or len(run.encode()) < 3 else "?" * len(run) for run in runs)
    return "*" + "".join(run + special for run, special in zip(kept, specials, strict=True)) + "*"


def register_sqlite_functions(sender, connection, **kwargs):
    """`connection_created` receiver: SQLite learns the search's functions on every connection.

    The generated column calls `movies_fold_case` on each write, so writes outside Django
    (the sqlite3 shell) fail with "unknown function"; reads need nothing.
    """
    if connection.vendor == "sqlite":
        sqlite = connection.connection
        sqlite.create_function(FOLD_FUNCTION, 1, fold_case, deterministic=True)
        sqlite.create_function(GLOB_FUNCTION, 1, trigram_glob, deterministic=True)


def titles_containing(queryset, text):
    """The films of `queryset` whose title contains `text` (a string or an expression)."""
    text = text if hasattr(text, "resolve_expression") else Value(text)
    queryset = queryset.filter(title_folded__contains=FoldCase(text))
    if connections[queryset.db].vendor == "sqlite":
        queryset = read_table_through(queryset, TrigramIndex(queryset.model, text))
    return queryset


@dataclass(frozen=True)
class TrigramIndex:
    """On SQLite, the films table read through the trigram index: the films whose folded
    title contains the folded text, in id order, under the table's own name.

    SQLite cannot look into an FTS5 table from a condition on another table without
    reading every match first (an `IN` subquery takes 0.8 s at a million films when the
    text is common, against 0.4 ms this way), so the index drives the query: a subquery,
    which SQLite flattens into the query, whose CROSS JOIN keeps the index in the outer
    loop. The index gives rowids in order, and the subquery's `id` is that rowid, so the
    default order by id reads only as far as the page goes. The query's own `contains`
    condition stays in WHERE: this only narrows where SQLite looks, and an UPDATE or
    DELETE, which Django writes without this FROM clause, still matches exactly the same
    films.
    """

    model: type
    text: object  # the search text, an expression

    def __call__(self, compiler, connection, alias):
        if not self.narrows(compiler, alias):
            return None
        text, params = compile_expression(compiler, self.text)
        qn = partial(quote_name, connection)
        fields = stored_fields(self.model)
        pk = next(field.column for field in fields if field.primary_key)
        columns = ", ".join(
            f"trigrams.rowid AS {qn(field.column)}"
            if field.primary_key
            else f"films.{qn(field.column)}"
            for field in fields
        )
        sql = (  # names from the model; the text is a bound parameter
            f"SELECT {columns} FROM {qn(SQLITE_INDEX)} trigrams"  # noqa: S608
            f" CROSS JOIN {qn(self.model._meta.db_table)} films ON films.{qn(pk)} = trigrams.rowid"
            f" WHERE trigrams.title_folded GLOB {GLOB_FUNCTION}({text})"
        )
        return sql, params

    def narrows(self, compiler, alias):
        """Whether every row of the query must contain the text, so that reading only the
        index's matches changes nothing: the search condition is ANDed at the top of WHERE,
        not ORed with another queryset's conditions (`searched | other`)."""
        searched = FoldCase(self.text)
        return any(
            isinstance(lookup, Contains)
            and lookup_column(lookup) == (alias, "title_folded")
            and lookup.rhs == searched
            for lookup in anded_lookups(compiler)
        )


def sqlite_has_trigram_tokenizer():
    """Whether this Python's SQLite has FTS5 and its trigram tokenizer (3.34 or newer)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


@checks.register(checks.Tags.database)
def check_sqlite_trigram(app_configs, databases=None, **kwargs):
    """The search index needs FTS5's trigram tokenizer wherever a database is SQLite."""
    on_sqlite = [alias for alias in databases or () if connections[alias].vendor == "sqlite"]
    if not on_sqlite or sqlite_has_trigram_tokenizer():
        return []
    return [
        checks.Error(
            f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer, which the title "
            "search index needs.",
            hint="Use a Python linked with SQLite 3.34 or newer built with FTS5 "
            "(Debian 12 and the python:3.11-slim-bookworm image have 3.40), or PostgreSQL.",
            obj=", ".join(on_sqlite),
            id="movies.E001",
        )
    ]
