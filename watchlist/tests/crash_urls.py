"""The project's URLs and `/api/crash/`, an API view that fails after authenticating."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated

from watchlist.urls import handler404, handler500  # noqa: F401
from watchlist.urls import urlpatterns as project_urls


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/crash/", crash, name="crash"), *project_urls]
