"""Each library internal the project uses (watchlist/internals/) still behaves as relied upon.

A failure here names the internal and the module that uses it: a library upgrade changed it,
and that module needs another way (or the upgrade waits).
"""

import datetime
import inspect

import pytest
from django.db import connection
from django.db.models import BigIntegerField, Q
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.datastructures import BaseTable
from django.db.models.sql.query import Query
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from movies.fields import StrictCharField
from movies.models import Movie
from movies.search import SQLITE_INDEX
from movies.tests.factories import make_movie
from movies.views import MovieViewSet
from watchlist.internals import django as django_internals
from watchlist.internals import rest_framework as rest_framework_internals
from watchlist.internals.drf_spectacular import default_field_schema
from watchlist.prepared import Param, PreparedQuery

pytestmark = pytest.mark.django_db

FIELDS = ["id", "title", "release_date", "is_watched", "watched_at"]


def changed(internal, user):
    return f"Django changed {internal}, which watchlist/internals/django.py relies on for {user}"


@pytest.mark.parametrize(
    ("owner", "name", "parameters"),
    [
        (Query, "get_compiler", ["self", "using", "connection", "elide_empty"]),
        (SQLCompiler, "as_sql", ["self", "with_limits", "with_col_aliases"]),
        (SQLCompiler, "get_converters", ["self", "expressions"]),
        (SQLCompiler, "apply_converters", ["self", "rows", "converters"]),
        (SQLCompiler, "compile", ["self", "node"]),
        (BaseTable, "__init__", ["self", "table_name", "alias"]),
        (BaseTable, "as_sql", ["self", "compiler", "connection"]),
        (BaseTable, "relabeled_clone", ["self", "change_map"]),
        (Query, "get_initial_alias", ["self"]),
    ],
)
def test_the_methods_used_take_what_they_are_given(owner, name, parameters):
    method = getattr(owner, name, None)

    assert method is not None, changed(f"{owner.__name__}.{name} (gone)", "compiled queries")
    assert list(inspect.signature(method).parameters)[: len(parameters)] == parameters, changed(
        f"the parameters of {owner.__name__}.{name}", "compiled queries"
    )


def test_compiled_sql_reads_what_the_orm_reads():
    films = [make_movie(title) for title in ["Alpha", "Beta", "Gamma"]]
    queryset = Movie.objects.filter(pk__gte=Param("from", BigIntegerField())).order_by("-id")

    sql, params, convert = django_internals.compile_queryset(queryset.values_list(*FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(sql, [films[1].pk if isinstance(p, Param) else p for p in params])
        rows = cursor.fetchall()

    assert convert is None
    assert rows == list(
        Movie.objects.filter(pk__gte=films[1].pk).order_by("-id").values_list(*FIELDS)
    ), changed("SQLCompiler.as_sql() or values_list()'s column order", "watchlist.prepared")


def test_converted_rows_hold_what_the_orm_gives():
    watched_at = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    film = make_movie("Watched", watched=True)
    Movie.objects.filter(pk=film.pk).update(watched_at=watched_at)
    queryset = Movie.objects.filter(pk=Param("pk", BigIntegerField()))

    converted = PreparedQuery(queryset, FIELDS, converted=True).rows(pk=film.pk)

    assert converted == list(Movie.objects.filter(pk=film.pk).values(*FIELDS)), changed(
        "SQLCompiler.select, get_converters() or apply_converters()", "converted rows"
    )
    assert converted[0]["watched_at"] == watched_at
    assert timezone.is_aware(converted[0]["watched_at"])


def test_a_table_read_through_sql_of_our_own_is_read_so():
    for title in ["One", "Two", "Three"]:
        make_movie(title)
    subquery = "SELECT * FROM movies_movie WHERE title <> %s"

    queryset = django_internals.read_table_through(
        Movie.objects.order_by("id"), lambda compiler, connection, alias: (subquery, ["Two"])
    )
    sql, _, _ = django_internals.compile_queryset(queryset)

    assert subquery in sql, changed("BaseTable.as_sql or Query.alias_map", "search")
    assert list(queryset.values_list("title", flat=True)) == ["One", "Three"]
    # Relabelled inside another query, as a subquery of an IN.
    outer = Movie.objects.filter(pk__in=queryset.values("pk")).order_by("id")
    assert list(outer.values_list("title", flat=True)) == ["One", "Three"], changed(
        "BaseTable.relabeled_clone", "search"
    )


def test_a_source_that_declines_leaves_the_table_as_it_is():
    make_movie("Only")

    queryset = django_internals.read_table_through(
        Movie.objects.all(), lambda compiler, connection, alias: None
    )

    assert list(queryset.values_list("title", flat=True)) == ["Only"]


def titles_looked_up(queryset):
    """The titles compared by the lookups ANDed at the top of `queryset`'s WHERE."""
    seen = {}

    def source(compiler, connection, alias):
        seen["lookups"] = [
            (django_internals.lookup_column(lookup), lookup.rhs)
            for lookup in django_internals.anded_lookups(compiler)
        ]

    list(django_internals.read_table_through(queryset, source))
    return seen["lookups"]


def test_anded_lookups_are_those_every_row_meets():
    alias = Movie._meta.db_table

    assert titles_looked_up(Movie.objects.filter(title="A").filter(is_watched=False)) == [
        ((alias, "title"), "A"),
        ((alias, "is_watched"), False),
    ], changed("WhereNode (connector, negated, children) or Col (alias, target)", "search")
    assert titles_looked_up(Movie.objects.filter(Q(title="A") | Q(title="B"))) == []
    assert titles_looked_up(Movie.objects.exclude(title="A")) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the trigram index is SQLite's")
def test_the_search_reads_films_through_the_index():
    make_movie("Indexed film")

    sql, _, _ = django_internals.compile_queryset(Movie.objects.search("index"))

    assert SQLITE_INDEX in sql


def test_a_wrapper_added_to_a_connection_sees_each_of_its_queries():
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    try:
        django_internals.add_execute_wrapper(connection, wrapper)
        django_internals.add_execute_wrapper(connection, wrapper)  # once only
        list(Movie.objects.filter(title="Nothing"))
    finally:
        connection.execute_wrappers.remove(wrapper)

    assert len(seen) == 1, changed("BaseDatabaseWrapper.execute_wrappers", "the query counter")
    assert "movies_movie" in seen[0]


def test_names_are_quoted_by_the_backend():
    assert django_internals.quote_name(connection, "movies_movie") == '"movies_movie"', changed(
        "connection.ops.quote_name()", "search"
    )


# --- Django REST framework (watchlist/internals/rest_framework.py) --------------------------


def drf_changed(internal):
    return (
        f"Django REST framework changed {internal}, which "
        "watchlist/internals/rest_framework.py relies on for the early answers"
    )


def test_a_viewsets_view_function_names_its_class_and_actions():
    view_function = MovieViewSet.as_view({"get": "list"}, suffix="List")

    assert view_function.cls is MovieViewSet, drf_changed("as_view()'s view.cls")
    assert view_function.initkwargs == {"suffix": "List"}, drf_changed("view.initkwargs")
    assert view_function.actions == {"get": "list"}, drf_changed("view.actions")
    assert isinstance(inspect.getattr_static(APIView, "default_response_headers"), property), (
        drf_changed("APIView.default_response_headers (no longer a property)")
    )


@pytest.mark.parametrize("route", ["movie-list", "movie-detail"])
def test_a_viewset_set_up_once_adds_the_headers_drf_adds(token_client, route):
    film = make_movie("Headers")
    url = reverse(route, args=[film.pk] if route == "movie-detail" else [])
    view = rest_framework_internals.viewset_for(resolve(url).func)

    answer = token_client.get(url)  # through DRF's dispatch
    headers = rest_framework_internals.response_headers(view)

    assert "view" in answer.renderer_context, "the token took DRF's way"
    assert {name: answer[name] for name in headers} == headers, drf_changed(
        "the viewset's set-up in as_view(), default_response_headers or finalize_response()"
    )
    assert set(headers) == {"Allow", "Vary"}
    assert headers["Vary"] == "Accept, Accept-Encoding, Accept-Language"  # vary_also


def test_vary_also_adds_names_after_drfs_own():
    class Plain(rest_framework_internals.VaryAlso, APIView):
        renderer_classes = [JSONRenderer]
        vary_also = ["Accept-Encoding", "Origin"]

    class Negotiated(Plain):
        renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    assert Plain().default_response_headers["Vary"] == "Accept-Encoding, Origin"
    assert Negotiated().default_response_headers["Vary"] == "Accept, Accept-Encoding, Origin"


def test_a_drf_request_gives_the_django_request_it_wraps():
    wrapped = RequestFactory().get("/")

    assert rest_framework_internals.django_request(Request(wrapped)) is wrapped, drf_changed(
        "Request._request"
    )


# --- drf-spectacular (watchlist/internals/drf_spectacular.py) ------------------------------


def test_drf_spectacular_gives_its_own_schema_of_a_field():
    parameters = inspect.signature(AutoSchema._map_serializer_field).parameters

    assert list(parameters)[:3] == ["self", "field", "direction"]
    assert "bypass_extensions" in parameters, (
        "drf-spectacular changed AutoSchema._map_serializer_field, which "
        "watchlist/internals/drf_spectacular.py relies on for the title's schema"
    )
    schema = default_field_schema(AutoSchema(), StrictCharField(), "request")
    assert schema["type"] == "string"
    assert "pattern" not in schema  # drf-spectacular's own, not the project's extension
