"""Project routes: the movies API under /api/, plus admin, schema, docs and sign-in."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from watchlist import views

# The split view serves Swagger UI's start-up script as a file of its own (`?script`), so
# that the page needs no inline script under the Content-Security-Policy.
swagger_ui = SpectacularSwaggerSplitView.as_view(
    url_name="schema", template_name="watchlist/swagger_ui.html"
)

# The admin's pages name this site, not the framework.
admin.site.site_header = _("Watchlist administration")
admin.site.site_title = _("Watchlist admin")
admin.site.index_title = _("Films and users")

urlpatterns = [
    path("", views.ApiInfoView.as_view(), name="api-info"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="swagger-ui"),
    path("api/auth/", include("accounts.urls")),
    path("api/auth/", include("rest_framework.urls")),
    path("api/", include("movies.urls")),
    path("admin/", admin.site.urls),
    # The pages' language switch (Django's set_language): a cookie that outranks
    # Accept-Language.
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.not_found
handler500 = views.server_error
