"""Read queries that the ORM compiles once and the hot paths run many times.

Building and compiling a queryset costs several times more than running a simple indexed
SELECT (about 120 µs against 15 µs on SQLite here), so the busiest reads (the film reads,
the token lookup of every authenticated request) keep the compiled SQL and only bind new
values. The SQL, its column conversions and its semantics are still the ORM's: the
queryset is written as usual, with `Param` where a value goes. Compiling is a Django
internal (`watchlist.internals.django`).
"""

from django.db import connections
from django.db.models import Expression

from watchlist.internals.django import compile_queryset


class Param(Expression):
    """A named placeholder in a queryset, bound each time the prepared query runs."""

    def __init__(self, name, output_field=None):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def __repr__(self):
        return f"Param({self.name!r})"


LIMIT, OFFSET = Param("limit"), Param("offset")


def stored_fields(model):
    """The fields whose values a row of the model's table holds, in the model's order (the
    recipe of Django's "Model _meta API" documentation)."""
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete
        and (
            not field.is_relation
            or field.one_to_one
            or (field.many_to_one and field.related_model)
        )
    ]


class PreparedQuery:
    """The `fields` of a queryset's rows, compiled to SQL once, then read with bound values.

    With `sliced=True` the query takes `limit` and `offset` values too (the ORM writes slice
    bounds into the SQL text, which would make every page a new statement). With
    `converted=False` rows keep the driver's values, skipping the ORM's per-value converters
    (the largest cost of a 100-film page): the drivers already return dates, booleans and
    datetimes, the latter naive on SQLite, where Django stores them in UTC.
    """

    def __init__(self, queryset, fields, sliced=False, converted=True):
        queryset = queryset.values_list(*fields)  # its rows hold `fields`, in this order
        self.using = queryset.db
        self.fields = tuple(fields)
        self.sql, self.params, self.convert = compile_queryset(queryset, converted)
        if sliced:
            self.sql, self.params = f"{self.sql} LIMIT %s OFFSET %s", (*self.params, LIMIT, OFFSET)

    def rows(self, **values):
        """The result as a list of dicts, one per row."""
        params = [values[p.name] if isinstance(p, Param) else p for p in self.params]
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if self.convert is not None:
            fetched = self.convert(fetched)
        return [dict(zip(self.fields, row, strict=True)) for row in fetched]
