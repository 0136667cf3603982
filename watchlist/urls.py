"""Project routes: the movies API under /api/, plus admin, schema, docs and login."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from watchlist import views

# The admin's pages name this site, not the framework.
admin.site.site_header = "Watchlist administration"
admin.site.site_title = "Watchlist admin"
admin.site.index_title = "Films and users"

urlpatterns = [
    path("", views.ApiInfoView.as_view(), name="api-info"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/auth/", include("rest_framework.urls")),
    path("api/auth/token/", views.TokenView.as_view(), name="api-token"),
    path("api/", include("movies.urls")),
    path("admin/", admin.site.urls),
]

handler404 = views.not_found
handler500 = views.server_error
