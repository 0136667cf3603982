"""Anonymous JSON reads of the films, answered before the rest of the stack.

Most traffic is `GET /api/` and `GET /api/<id>/` from clients with no credentials that want
JSON. For them sessions, CSRF, authentication and content negotiation decide nothing, so
this middleware answers them itself, with what the viewset's `list` and `retrieve` use:
the readers of `movies.reads` and the viewset's JSON renderer and response headers.

Anything it cannot answer exactly as DRF would goes on to DRF: credentials or cookies,
an `Accept` header other than plain JSON ranges, `?format=`, a URL that is not one of the
two reads, and every error (DRF then answers it, 400, 404 or 503, as for any client).
A property test sends random requests both ways and compares the answers byte for byte.
"""

from functools import lru_cache

from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from rest_framework.settings import api_settings

from movies import reads

READERS = {"movie-list": reads.film_list, "movie-detail": reads.film_detail}


class EarlyReadMiddleware:
    def __init__(self, get_response):
        if api_settings.DEFAULT_THROTTLE_RATES.get("reads"):
            # Read limits are counted by DRF's throttles: every read must reach them.
            raise MiddlewareNotUsed("reads are throttled: they all go through DRF")
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
    renderer, envelope, json_ranges = view_answer_parts(match.func)
    if "format" in request.GET or not accepts_only(request, json_ranges):
        return None
    try:
        data, headers = reader(request, **match.kwargs)
    except Exception:  # DRF answers every error (400, 404, 503), as for any client
        return None
    request.resolver_match = match  # as Django sets it: middleware above may read the route
    response = HttpResponse(renderer.render(data), content_type=renderer.media_type)
    for name, value in (*envelope.items(), *headers.items()):
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
def view_answer_parts(view_function):
    """What DRF's view adds to a read's data: its JSON renderer, and the headers that
    `finalize_response` sets (`Allow`, `Vary`), taken from a view instance set up as
    `ViewSetMixin.as_view` sets one up for a request."""
    view = view_function.cls(**view_function.initkwargs)
    for method, action in {**view_function.actions, "head": view_function.actions["get"]}.items():
        setattr(view, method, getattr(view, action))
    renderer = view.renderer_classes[0]()
    main_type = renderer.media_type.split("/")[0]
    # The ranges for which DRF's negotiation picks this renderer and its own media type.
    json_ranges = {renderer.media_type, f"{main_type}/*", "*/*"}
    return renderer, view.default_response_headers, frozenset(json_ranges)
