"""The hot path: anonymous JSON reads of the film list and of one film.

Most traffic is these two reads, and they need no session, CSRF check, authentication or
content negotiation. This middleware answers them before that part of the stack, with the
ORM's queries compiled once (`movies.prepared`) and rows encoded by orjson. It answers only
successful reads that the viewset would answer the same way (a test compares the two);
everything else, every error included, goes on to the DRF viewset.
"""

import re
from functools import lru_cache

import orjson
from django.core.exceptions import MiddlewareNotUsed
from django.db.models import BigIntegerField, BooleanField, CharField
from django.http import HttpResponse
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from movies.filters import TRUE_VALUES, MovieFilter
from movies.models import Movie
from movies.pagination import PageWindow
from movies.prepared import Param, PreparedQuery
from movies.serializers import MovieSerializer

LIST_PATH = "/api/"
DETAIL_PATH = re.compile(r"/api/([0-9]{1,18})/")
FIELDS = MovieSerializer.Meta.fields
ORDERINGS = {
    prefix + name
    for name in MovieFilter.base_filters["ordering"].param_map
    for prefix in ("", "-")
}
JSON_MEDIA_RANGES = {"*/*", "application/*", "application/json"}


class PublicReadMiddleware:
    def __init__(self, get_response):
        if api_settings.DEFAULT_THROTTLE_RATES.get("reads"):
            raise MiddlewareNotUsed("reads are throttled: they all go through DRF")
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and is_anonymous_json_request(request):
            response = self.answer(request)
            if response is not None:
                return response
        return self.get_response(request)

    def answer(self, request):
        request.get_host()  # validates the Host header as the rest of the stack would
        path = request.path_info
        if path == LIST_PATH:
            return self.film_page(request)
        match = DETAIL_PATH.fullmatch(path)
        if match and not request.GET:
            return self.film(int(match.group(1)))
        return None

    def film(self, pk):
        rows = detail_query().rows(pk=pk)
        if not rows:
            return None  # the viewset answers the 404
        return json_response(rows[0])

    def film_page(self, request):
        shape = list_shape(request.GET)
        if shape is None:
            return None
        filters, ordering = shape
        try:
            window = PageWindow.from_query(request.GET)
        except APIException:
            return None  # the viewset answers the 400 or 404
        rows = list_query(tuple(sorted(filters)), ordering).rows(
            **filters, limit=window.fetch, offset=window.offset
        )
        if not rows and window.number > 1:
            return None  # past the last page: the viewset answers the 404
        response = json_response(rows[: window.size])
        has_next = len(rows) > window.size
        if has_next or window.number > 1:
            response["Link"] = window.link_header(request.build_absolute_uri(), has_next)
        return response


def is_anonymous_json_request(request):
    """No credentials to check, and JSON is what DRF's negotiation would pick."""
    if "HTTP_AUTHORIZATION" in request.META or "format" in request.GET:
        return False
    accept = request.META.get("HTTP_ACCEPT", "*/*")
    return all(media.split(";", 1)[0].strip() in JSON_MEDIA_RANGES for media in accept.split(","))


def list_shape(query):
    """The list filters and ordering, if every one is plainly valid; None otherwise."""
    filters = {}
    is_watched = query.get("is_watched", "")
    if is_watched:
        if is_watched.lower() not in TRUE_VALUES:
            return None
        filters["is_watched"] = TRUE_VALUES[is_watched.lower()]
    search = query.get("search", "")
    if search:
        if "\x00" in search:
            return None
        filters["search"] = search
    ordering = tuple(query.get("ordering", "").split(",")) if query.get("ordering") else ()
    names = [param.lstrip("-") for param in ordering]
    if not set(ordering) <= ORDERINGS or len(set(names)) != len(names):
        return None
    return filters, ordering


@lru_cache(maxsize=1)
def detail_query():
    queryset = Movie.objects.filter(pk=Param("pk", BigIntegerField())).values(*FIELDS)
    return PreparedQuery(queryset, converted=False)


@lru_cache(maxsize=256)
def list_query(filter_names, ordering):
    """The list query for one combination of filters and ordering, built by the FilterSet."""
    filterset = MovieFilter(queryset=Movie.objects.all())
    queryset = filterset.queryset
    if "is_watched" in filter_names:
        queryset = filterset.filters["is_watched"].filter(
            queryset, Param("is_watched", BooleanField())
        )
    if "search" in filter_names:
        queryset = filterset.filters["search"].filter(queryset, Param("search", CharField()))
    queryset = filterset.filters["ordering"].filter(queryset, list(ordering))
    return PreparedQuery(queryset.values(*FIELDS), sliced=True, converted=False)


def json_response(rows):
    # orjson writes what the serializer and DRF's JSONRenderer write for these columns
    # (ISO dates, RFC 3339 UTC datetimes ending in Z, compact UTF-8) at a fraction of the
    # cost per row, which keeps a 100-film page nearly as cheap as a 4-film one. Naive
    # datetimes come from SQLite, which holds UTC (USE_TZ).
    body = orjson.dumps(rows, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Length"] = str(len(body))
    response["Vary"] = "Accept"
    return response
