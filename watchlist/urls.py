"""Project routes: the movies API under /api/, plus admin, schema, docs and login."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from movies.throttles import TokenRateThrottle
from watchlist import views

urlpatterns = [
    path("", views.api_info, name="api-info"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/auth/", include("rest_framework.urls")),
    path(
        "api/auth/token/",
        # Open to anyone: it is where a client without credentials gets them.
        ObtainAuthToken.as_view(
            throttle_classes=[TokenRateThrottle],
            authentication_classes=[],
            permission_classes=[AllowAny],
        ),
        name="api-token",
    ),
    path("api/", include("movies.urls")),
    path("admin/", admin.site.urls),
]

handler404 = views.not_found
handler500 = views.server_error
