"""Django's internals used for speed (each pinned by watchlist/tests/test_internals.py).

- `Query.get_compiler()` and `SQLCompiler.as_sql()`: the SQL and parameters of a queryset,
  without running it (`compile_queryset`). The hot reads compile each query shape once and
  then only bind new values (`watchlist.prepared`): building and compiling a queryset costs
  several times more than the indexed SELECT it makes. No public API returns a queryset's
  SQL with its parameters (`str(queryset.query)` writes the values into the text unquoted;
  capturing it with `connection.execute_wrapper()` runs a query and logs it).
- `SQLCompiler.select`, `get_converters()` and `apply_converters()`: the ORM's conversion of
  the driver's values (aware datetimes on SQLite, for instance), for rows read with that
  compiled SQL and made into model instances (`Model.from_db()`, which is public).
- `BaseTable` (its `as_sql`, `relabeled_clone` and `identity`), `Query.get_initial_alias()`
  and `Query.alias_map`: a query's table read through SQL of our own (`read_table_through`).
  The title search on SQLite reads the films through its FTS5 trigram index this way, so
  that the index drives the query and the default order by id reads only as far as the
  page goes: at a million films, 0.4 ms for a common text, against 820 ms for the same
  index behind `id IN (subquery)` (which reads every match first) and 740 ms joined to an
  unmanaged model of the index (SQLite then sorts every match by the films' id).
- `SQLCompiler.query` (to resolve an expression inside the query, `compile_expression`),
  `Query.where`, `WhereNode` (`connector`, `negated`, `children`) and
  a lookup's `Col` (`alias`, `target`): the conditions ANDed at the top of a query's WHERE
  (`anded_lookups`, `lookup_column`), which tell whether reading the table through the
  index keeps the query's meaning.
- `BaseDatabaseWrapper.execute_wrappers`, the list that the documented
  `connection.execute_wrapper()` context manager adds to for a block of code: the query
  counter of the access line and the metrics is added to each connection once, when it is
  made (`add_execute_wrapper`). The context manager around each request costs about 26,000
  instructions a request (2.6% of an anonymous list read), most of it looking up the
  thread's connection and entering the context manager.
- `connection.ops.quote_name()`: the backend's quoting of a name (the public
  `SQLCompiler.quote_name()` of Django 6 does not exist in 5.2); and, for the alias of a
  table read through our own SQL, `SQLCompiler.quote_name()` on Django 6 and
  `quote_name_unless_alias()` on 5.2, so that the alias is written as the rest of the
  query writes it (`quote_alias`).
"""

from django.db.models.sql.datastructures import BaseTable
from django.db.models.sql.where import AND, WhereNode


def compile_queryset(queryset, converted=False):
    """(sql, params, convert) of `queryset`: `convert(rows)` turns the driver's rows into the
    values the ORM would give (None if `converted` is false or nothing needs converting)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    convert = None
    if converted:
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        if converters:

            def convert(rows):
                return list(compiler.apply_converters(rows, converters))

    return sql, tuple(params), convert


def compile_expression(compiler, expression):
    """(sql, params) of an expression inside the query `compiler` compiles."""
    return compiler.compile(expression.resolve_expression(compiler.query))


def add_execute_wrapper(connection, wrapper):
    """`wrapper` around every query of `connection` from now on (once, however often the
    connection is made again)."""
    if wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(wrapper)


def quote_name(connection, name):
    return connection.ops.quote_name(name)


def quote_alias(compiler, alias):
    """A table alias as the compiler writes it in the rest of the query: Django 6 quotes
    every name (`SQLCompiler.quote_name()`), 5.2 leaves aliases such as `U0` bare
    (`quote_name_unless_alias()`, which Django 6.1 deprecates)."""
    quote = getattr(compiler, "quote_name", None) or compiler.quote_name_unless_alias
    return quote(alias)


def read_table_through(queryset, source):
    """`queryset` with its base table read through `source(compiler, connection, alias)`,
    which returns the SQL of a subquery standing for the table and its parameters (or None,
    to read the table itself)."""
    query = queryset.query
    alias = query.get_initial_alias()  # the base table's alias (made if not yet)
    query.alias_map[alias] = TableThrough(query.alias_map[alias].table_name, alias, source)
    return queryset


class TableThrough(BaseTable):
    def __init__(self, table_name, alias, source):
        super().__init__(table_name, alias)
        self.source = source

    def as_sql(self, compiler, connection):
        through = self.source(compiler, connection, self.table_alias)
        if through is None:
            return super().as_sql(compiler, connection)
        sql, params = through
        return f"({sql}) {quote_alias(compiler, self.table_alias)}", params

    def relabeled_clone(self, change_map):
        alias = change_map.get(self.table_alias, self.table_alias)
        return self.__class__(self.table_name, alias, self.source)

    @property
    def identity(self):
        return (*super().identity, self.source)


def anded_lookups(compiler):
    """The lookups whose conditions every row of the compiled query meets: those ANDed at
    the top of its WHERE, not ORed with or negated by another condition."""
    return _anded(compiler.query.where)


def _anded(where):
    if where.connector != AND or where.negated:
        return
    for child in where.children:
        if isinstance(child, WhereNode):
            yield from _anded(child)
        else:
            yield child


def lookup_column(lookup):
    """(table alias, column) of the column a lookup compares, or None if it compares an
    expression."""
    lhs = lookup.lhs
    if not hasattr(lhs, "alias") or not hasattr(lhs, "target"):
        return None
    return lhs.alias, lhs.target.column
