"""Reading films: the one implementation of `GET /api/` and `GET /api/<id>/`.

The viewset's `list` and `retrieve` call `film_list` and `film_detail`, and so does the
early answer to anonymous JSON reads (`movies.early_reads`): one validation (the FilterSet
and the page window), one query and one set of rows, whichever way a request comes in.
Each takes the request (Django's or DRF's: only `GET` and `build_absolute_uri` are read)
and returns the data and the headers of the answer.

Building and compiling a queryset costs several times more than running the indexed SELECT
it makes, so each query shape is compiled once (`watchlist.prepared`) and each set of list
parameters is validated once: both are pure functions of their input, kept in small caches.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import BigIntegerField
from django.http import QueryDict
from django_filters import OrderingFilter
from django_filters.constants import EMPTY_VALUES
from django_filters.utils import translate_validation
from rest_framework.exceptions import NotFound

from movies.filters import MovieFilter
from movies.models import Movie
from movies.pagination import MAX_OFFSET, MAX_OFFSET_DIGITS, PAST_THE_END, PageWindow
from movies.serializers import MovieSerializer
from watchlist.prepared import Param, PreparedQuery

FIELDS = MovieSerializer.Meta.fields
FILTERS = tuple(MovieFilter.base_filters)
# The largest id a BigAutoField holds on every backend (the 64-bit limit of OFFSET too).
MAX_ID, MAX_ID_DIGITS = MAX_OFFSET, MAX_OFFSET_DIGITS
# An id in a URL: the digits of a positive 64-bit number, without leading zeros.
ID_PATTERN = rf"[1-9][0-9]{{0,{MAX_ID_DIGITS - 1}}}"


def film_list(request):
    """`GET /api/`: the page of films the query asks for, and its `Link` header."""
    page = film_page(request.GET)
    if not page.has_neighbours:
        return page.films, {}
    return page.films, {"Link": page.link_header(request.build_absolute_uri())}


def film_detail(request, pk):
    """`GET /api/<id>/`: the film, and no headers of its own."""
    return film(pk), {}


@dataclass(frozen=True)
class FilmPage:
    films: list
    window: PageWindow
    has_next: bool

    @property
    def has_neighbours(self):
        return self.has_next or self.window.number > 1

    def link_header(self, url):
        """RFC 8288 links to the neighbouring pages of `url`."""
        return self.window.link_header(url, self.has_next)


def film_page(query):
    """The page of films that `query` (the request's query parameters) asks for.

    Raises ValidationError (400) for an invalid parameter, NotFound (404) past the last page.
    """
    filters = chosen_filters(filter_parameters(query))
    window = PageWindow.from_query(query)
    rows = list_query(filters.shape).rows(
        **filters.values, limit=window.fetch, offset=window.offset
    )
    if not rows and window.number > 1:
        raise NotFound(PAST_THE_END)
    return FilmPage(rows[: window.size], window, has_next=len(rows) > window.size)


def film(pk):
    """One film by its id (the URL's digits, as text); NotFound (404) if there is none."""
    in_range = len(pk) <= MAX_ID_DIGITS and 0 < int(pk) <= MAX_ID
    rows = detail_query().rows(pk=int(pk)) if in_range else None
    if not rows:
        raise NotFound()
    return rows[0]


def filter_parameters(query):
    """The parameters the FilterSet reads, in a hashable form (the validation cache's key)."""
    return tuple((name, tuple(query.getlist(name))) for name in FILTERS if name in query)


@dataclass(frozen=True)
class ChosenFilters:
    shape: tuple  # what decides the SQL: the filters in use and the ordering
    values: dict  # the values bound into that SQL


@lru_cache(maxsize=1024)
def chosen_filters(parameters):
    """The FilterSet's validation of the list parameters; ValidationError (400) if invalid."""
    data = QueryDict(mutable=True)
    for name, values in parameters:
        data.setlist(name, list(values))
    filterset = MovieFilter(data=data, queryset=Movie.objects.none())
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    shape, values = [], {}
    for name, value in filterset.form.cleaned_data.items():
        if value in EMPTY_VALUES:
            continue  # a filter given no value filters nothing (django-filter's own rule)
        if isinstance(filterset.filters[name], OrderingFilter):
            shape.append((name, tuple(value)))
        else:
            shape.append((name, None))
            values[name] = value
    return ChosenFilters(tuple(shape), values)


@lru_cache(maxsize=256)
def list_query(shape):
    """The list query for one shape, built by the FilterSet's own filters."""
    filterset = MovieFilter(queryset=Movie.objects.all())
    queryset = filterset.queryset
    for name, ordering in shape:
        flt = filterset.filters[name]
        if ordering is None:
            value = Param(name, Movie._meta.get_field(flt.field_name))
        else:
            value = list(ordering)
        queryset = flt.filter(queryset, value)
    return PreparedQuery(queryset, FIELDS, sliced=True, converted=False)


@lru_cache(maxsize=1)
def detail_query():
    queryset = Movie.objects.filter(pk=Param("pk", BigIntegerField()))
    return PreparedQuery(queryset, FIELDS, converted=False)
