"""The movies API, mounted at /api/ by the project."""

from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from rest_framework.routers import SimpleRouter

from movies.import_export import ExportView, ImportView
from movies.permissions import TokenRequiredForGet
from movies.reads import ID_PATTERN
from movies.views import MovieViewSet

router = SimpleRouter()
router.register("", MovieViewSet, basename="movie")

# The Flask app's watch route puts the id last, a shape the router does not generate.
# Its GET changes state, so HEAD, which must change nothing, is not allowed there (405).
legacy_watch = MovieViewSet.as_view(
    {"get": "legacy_watch", "post": "legacy_watch"},
    permission_classes=[TokenRequiredForGet],
    http_method_names=["get", "post", "options"],
    name=_("Watch (the Flask app's route)"),
    description=MovieViewSet.legacy_watch.__doc__,
)

urlpatterns = [
    re_path(rf"^watch/(?P<pk>{ID_PATTERN})/$", legacy_watch, name="movie-watch-legacy"),
    path("import/", ImportView.as_view(), name="film-import"),
    path("export/", ExportView.as_view(), name="film-export"),
    *router.urls,
]
