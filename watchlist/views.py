"""Project-wide views: the API information at `/` and JSON error pages under `/api/`."""

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

API_INFO = inline_serializer(
    "ApiInfo",
    {
        "name": serializers.CharField(),
        "description": serializers.CharField(),
        "version": serializers.FloatField(),
        "links": serializers.DictField(child=serializers.URLField()),
    },
)


class ApiInfoView(APIView):
    """What this API is, its version, and where to go next: the films, the OpenAPI schema,
    the interactive documentation and the admin."""

    name = gettext_lazy("Watchlist API")
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="get_api_info", summary="API information", responses=API_INFO)
    def get(self, request):
        links = {
            "api": reverse("movie-list"),
            "schema": reverse("schema"),
            "docs": reverse("swagger-ui"),
            "admin": reverse("admin:index"),
        }
        return Response(
            {
                "name": "watchlist",
                "description": "a simple app for tracking the movies you want to watch",
                # A number, as the Flask app answered; 1.2 is its API plus compatible additions.
                "version": 1.2,
                "links": {name: request.build_absolute_uri(path) for name, path in links.items()},
            }
        )


def is_api(request):
    """Under the API's root, where every answer is JSON."""
    return request.path.startswith(reverse("movie-list"))


def bad_request(request, exception):
    # A refused Host header, too many fields or parameters: Django's own checks. The
    # message stays general: the request's values are not echoed back.
    if is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api(request):
        return JsonResponse({"detail": _("You do not have permission to do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def not_found(request, exception):
    if is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Logged with its traceback by django.request; the client sees no detail.
    if is_api(request):
        return JsonResponse({"detail": _("Internal server error.")}, status=500)
    return defaults.server_error(request)
