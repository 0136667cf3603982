"""Anonymous JSON reads of the films, answered before the rest of the stack.

Most traffic is `GET /api/` and `GET /api/<id>/` from clients with no credentials that want
JSON. For them sessions, CSRF, authentication and content negotiation decide nothing, so
this middleware answers them itself, with what the viewset's `list` and `retrieve` use:
the readers of `movies.reads`, the viewset's JSON renderer and response headers, and the
project's exception handler for their errors (400, 404, 503). Their language (of error
messages, and `Content-Language`) is chosen above, by watchlist.languages' LocaleMiddleware,
for both ways alike.

It answers only what DRF would answer the same way, and skips no check. Anything else goes
on to DRF: credentials or cookies, an `Accept` header other than plain JSON ranges,
`?format=`, a URL that is not one of the two reads, an error the exception handler does
not answer, and every read of a view with a permission or throttle class that this module
does not know to let every anonymous read through, whatever the request (`ALLOWING`,
`KNOWN_THROTTLES`): the view's classes are read on each request, so DRF applies any other
class to every request. A property test sends random requests both ways and
compares the answers byte for byte.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly

from movies import reads
from watchlist.exceptions import api_exception_handler
from watchlist.internals.rest_framework import response_headers, viewset_for
from watchlist.throttles import ReadRateThrottle, TokenRateThrottle, WriteRateThrottle

READERS = {"movie-list": reads.film_list, "movie-detail": reads.film_detail}
# Permission classes that let any anonymous GET through, whatever else the request holds.
ALLOWING = frozenset({AllowAny, IsAuthenticatedOrReadOnly})
# Throttle classes that count a GET or not by its method alone (`limits`).
KNOWN_THROTTLES = frozenset({WriteRateThrottle, ReadRateThrottle, TokenRateThrottle})


class EarlyReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and carries_no_credentials(request):
            response = answer(request)
            if response is not None:
                return response
        return self.get_response(request)


def carries_no_credentials(request):
    # Any cookie at all sends the request on to DRF: reading the Cookie header costs more
    # than the few requests that carry one without a session.
    return "HTTP_AUTHORIZATION" not in request.META and not request.META.get("HTTP_COOKIE")


def answer(request):
    match = route(request.path_info)
    if match is None:
        return None
    reader = READERS.get(match.url_name)
    if reader is None:
        return None
    view, renderer, headers, json_ranges = view_parts(match.func)
    if not checks_let_anonymous_reads_through(view):
        return None
    if "format" in request.GET or not accepts_only(request, json_ranges):
        return None
    request.resolver_match = match  # as Django sets it: middleware above may read the route
    try:
        data, own_headers = reader(request, **match.kwargs)
    except (APIException, DatabaseError) as error:
        return failure(error, request, renderer, headers)
    response = HttpResponse(renderer.render(data), content_type=renderer.media_type)
    for name, value in (*headers.items(), *own_headers.items()):
        response[name] = value
    return response


def checks_let_anonymous_reads_through(view):
    """Whether every permission and throttle class of the view is one known to let any
    anonymous read through, whatever the request (read on each request: loops, not
    generators, are a third cheaper here)."""
    for permission in view.permission_classes:
        if permission not in ALLOWING:
            return False
    for throttle in view.throttle_classes:
        if throttle not in KNOWN_THROTTLES or throttle.limits("GET"):
            return False
    return True


def failure(error, request, renderer, headers):
    """What DRF's view answers for the error: the project's exception handler's answer (a
    database error is a 503 with Retry-After), rendered by the view's renderer with the
    view's headers; not a second attempt through DRF. None if the handler has no answer."""
    handled = api_exception_handler(error, {"request": request, "view": None})
    if handled is None:
        return None
    response = HttpResponse(
        renderer.render(handled.data),
        status=handled.status_code,
        content_type=renderer.media_type,
    )
    for name, value in handled.items():
        if name != "Content-Type":  # the renderer's, as DRF's rendering sets it
            response[name] = value
    for name, value in headers.items():
        response[name] = value
    return response


@lru_cache(maxsize=4096)
def route(path):
    """The URLconf's match for a path (None if none): the URLconf does not change while a
    process runs, and resolving it is a tenth of the cost of an early answer."""
    try:
        return resolve(path)
    except Resolver404:
        return None


@receiver(setting_changed)
def forget_routes(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        route.cache_clear()


def accepts_only(request, media_ranges):
    """True if every range in the Accept header (or its absence) is one of `media_ranges`,
    written plainly: any parameter (`indent=4`, `q=0.5`) is left to DRF's negotiation."""
    accept = request.META.get("HTTP_ACCEPT", "*/*")
    return accept in media_ranges or all(
        media.strip() in media_ranges for media in accept.split(",")
    )


@lru_cache(maxsize=8)
def view_parts(view_function):
    """The viewset instance behind a view (its permission and throttle classes are read on
    each request), its JSON renderer, the headers DRF adds to its answers (`Allow`, `Vary`),
    and the `Accept` ranges for which DRF's negotiation picks that renderer."""
    view = viewset_for(view_function)
    renderer = view.renderer_classes[0]()
    main_type = renderer.media_type.split("/")[0]
    json_ranges = frozenset({renderer.media_type, f"{main_type}/*", "*/*"})
    return view, renderer, response_headers(view), json_ranges


@receiver(setting_changed)
def forget_views(setting, **kwargs):
    if setting == "REST_FRAMEWORK":
        view_parts.cache_clear()
