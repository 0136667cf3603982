"""Anonymous JSON reads of the films, answered before the rest of the stack.

Most traffic is `GET /api/` and `GET /api/<id>/` from clients with no credentials that want
JSON. For them sessions, CSRF, authentication and content negotiation decide nothing, so
this middleware answers them itself, with what the viewset's `list` and `retrieve` use:
the readers of `movies.reads`, the viewset's JSON renderer and response headers, and the
project's exception handler for their errors (400, 404, 503).

It answers only what DRF would answer the same way. Anything else goes on to DRF:
credentials or cookies, an `Accept` header other than plain JSON ranges, `?format=`, a URL
that is not one of the two reads, an error the exception handler does not answer, and every
read of a view whose permissions refuse an anonymous client or whose throttles count its
reads (the view decides, once, on a request like these). A property test sends random
requests both ways and compares the answers byte for byte.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from rest_framework.exceptions import APIException

from movies import reads
from watchlist.exceptions import api_exception_handler
from watchlist.throttles import CountingThrottle

READERS = {"movie-list": reads.film_list, "movie-detail": reads.film_detail}


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
    parts = reader and view_answer_parts(match.func)
    if not parts:
        return None
    renderer, envelope, json_ranges = parts
    if "format" in request.GET or not accepts_only(request, json_ranges):
        return None
    request.resolver_match = match  # as Django sets it: middleware above may read the route
    try:
        data, headers = reader(request, **match.kwargs)
    except (APIException, DatabaseError) as error:
        return failure(error, request, renderer, envelope)
    response = HttpResponse(renderer.render(data), content_type=renderer.media_type)
    for name, value in (*envelope.items(), *headers.items()):
        response[name] = value
    return response


def failure(error, request, renderer, envelope):
    """What DRF's view answers for the error: the project's exception handler's answer (a
    database error is a 503 with Retry-After), rendered by the view's renderer with the
    view's headers; not a second attempt through DRF."""
    response = api_exception_handler(error, {"request": request, "view": None})
    response.accepted_renderer, response.accepted_media_type = renderer, renderer.media_type
    response.renderer_context = {}
    for name, value in envelope.items():
        response[name] = value
    return response.render()


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
def view_answer_parts(view_function):
    """What DRF's view adds to a read's data: its JSON renderer, and the headers that
    `finalize_response` sets (`Allow`, `Vary`), taken from a view instance set up as
    `ViewSetMixin.as_view` sets one up for a request; None if the view's permissions or
    throttles have a say in an anonymous read."""
    view = view_function.cls(**view_function.initkwargs)
    view.action_map = {**view_function.actions, "head": view_function.actions["get"]}
    for method, action in view.action_map.items():
        setattr(view, method, getattr(view, action))
    anonymous_read = view.initialize_request(anonymous_get())
    if not all(p.has_permission(anonymous_read, view) for p in view.get_permissions()):
        return None
    if any(counts_read(throttle, anonymous_read) for throttle in view.get_throttles()):
        return None
    renderer = view.renderer_classes[0]()
    main_type = renderer.media_type.split("/")[0]
    # The ranges for which DRF's negotiation picks this renderer and its own media type.
    json_ranges = {renderer.media_type, f"{main_type}/*", "*/*"}
    return renderer, view.default_response_headers, frozenset(json_ranges)


def anonymous_get():
    request = HttpRequest()
    request.method = "GET"
    request.META = {"REMOTE_ADDR": "127.0.0.1"}
    return request


def counts_read(throttle, request):
    if isinstance(throttle, CountingThrottle):
        return throttle.limits(request)
    return True  # a throttle it does not know: only DRF may apply it


@receiver(setting_changed)
def forget_views(setting, **kwargs):
    if setting == "REST_FRAMEWORK":
        view_answer_parts.cache_clear()
