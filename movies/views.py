from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    APIException,
    MethodNotAllowed,
    NotFound,
    ValidationError,
)
from rest_framework.response import Response

from movies import reads
from movies.filters import MovieFilter
from movies.models import Movie, MovieQuerySet
from movies.reads import ID_PATTERN
from movies.renderers import FastJSONRenderer
from movies.schema import ID_TAKEN, LEGACY_WATCH_SCHEMA, LINK_HEADER, LOCATION_HEADER, Detail
from movies.serializers import MovieSerializer
from watchlist.internals.rest_framework import VaryAlso
from watchlist.renderers import BrowsableAPIRenderer

DELETED = _("Movie has been successfully deleted.")
ALREADY_WATCHED = _("Movie has already been watched.")
NOT_WATCHED = _("Movie has not been watched.")
FLASK_INVALID_BODY = _("Please provide the title and release_date.")


# The browsable API's description of the list and of a film, in the reader's language.
DESCRIPTION = _("""The films on the watchlist, and whether you have watched them.

Anyone may read; adding, editing, watching and deleting need a signed-in user: send
`Authorization: Token <key>` (get a key from `POST /api/auth/token/`), or sign in
with the *Log in* link to use the forms on these pages.

- `GET /api/` lists the films, a page at a time: filter with `is_watched` and
  `search`, sort with `ordering`.
- `POST /api/` adds a film: a `title` and a `release_date` (`YYYY-MM-DD`, or a UNIX
  timestamp in seconds).
- `GET`, `PUT`, `PATCH` or `DELETE /api/<id>/` reads, replaces, changes or deletes one.
- `POST /api/<id>/watch/` marks it watched, `POST /api/<id>/unwatch/` unwatched.""")


class WatchStateUnchanged(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "watch_state_unchanged"


class MethodsFirst:
    """A method the route lacks is a 405 for anyone: DRF checks permissions first, and would
    ask an anonymous client to sign in (401) for a method no one may use there."""

    def check_permissions(self, request):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)


@extend_schema_view(
    list=extend_schema(
        operation_id="list_films",
        summary="List films, a page at a time",
        description="The films, oldest first unless `ordering` says otherwise, at most "
        "`page_size` a page. The `Link` header points to the neighbouring pages; without "
        "it, this is the only page. No credentials needed.",
        parameters=[LINK_HEADER],
    ),
    create=extend_schema(
        operation_id="add_film",
        summary="Add a film",
        description="Answers 201 with the new film, and its URL in `Location`. A film needs "
        "a title and its `release_date`, or only its `release_year` if that is all that is "
        "known; the rest is optional. An id that another film has is a 409.",
        responses={201: MovieSerializer, 409: ID_TAKEN},
        parameters=[LOCATION_HEADER],
    ),
    retrieve=extend_schema(
        operation_id="get_film", summary="Get one film", description="No credentials needed."
    ),
    update=extend_schema(
        operation_id="replace_film",
        summary="Replace a film's details",
        description="The title and the release date (or year) are required; fields not sent "
        "are left as they are, and so is the watched state.",
        responses={200: MovieSerializer, 409: ID_TAKEN},
    ),
    partial_update=extend_schema(
        operation_id="change_film",
        summary="Change some of a film's details",
        description="Only the fields sent change; the watched state is left as it is. "
        "Changing the date changes the year; to keep only a year, send `release_date: null` "
        "with it.",
        responses={200: MovieSerializer, 409: ID_TAKEN},
    ),
    destroy=extend_schema(
        operation_id="delete_film",
        summary="Delete a film",
        description="Answers a confirmation message.",
        responses={200: Detail},
    ),
)
class MovieViewSet(MethodsFirst, VaryAlso, viewsets.ModelViewSet):
    """The films on the watchlist, and whether you have watched them (`DESCRIPTION` says
    what the viewset offers: the browsable API's pages show it, translated)."""

    queryset = Movie.objects.all()
    serializer_class = MovieSerializer
    # The list's filters and pagination: movies.reads applies them; declared here, they
    # are the browsable API's filter form and the schema's parameters.
    filterset_class = MovieFilter
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]
    # An id as the films have them: no leading zero, no more digits than a 64-bit id has
    # (`/api/007/` names no film, rather than film 7 for writes and none for reads).
    lookup_value_regex = ID_PATTERN
    # Films are gzipped for clients that take it (watchlist.http.GZipMiddleware), and their
    # messages are in the client's language (watchlist.languages). Said here, once, the
    # early answers carry it too, and neither middleware need patch Vary into every answer.
    vary_also = ["Accept-Encoding", "Accept-Language"]

    # Reads go through movies.reads, which anonymous JSON reads reach earlier too
    # (movies.early_reads): one query, one set of rows, one encoding for both.
    def list(self, request, *args, **kwargs):
        films, headers = reads.film_list(request)
        return Response(films, headers=headers)

    def retrieve(self, request, *args, **kwargs):
        film, headers = reads.film_detail(request, self.kwargs["pk"])
        if isinstance(request.accepted_renderer, BrowsableAPIRenderer):
            # The page's edit forms are filled from the serializer behind the data, as after
            # DRF's own retrieve: the film just read, as the serializer writes it (the same
            # JSON: movies/tests/test_representation.py).
            film = self.get_serializer(Movie(**film)).data
        return Response(film, headers=headers)

    def get_view_name(self):
        # The browsable API's page titles (DRF's would say "Movie List", "Movie Instance").
        return {"List": _("Films"), "Instance": _("Film")}.get(
            self.suffix
        ) or super().get_view_name()

    def get_view_description(self, html=False):
        # Routes with no description of their own (the list, a film) show DESCRIPTION: DRF
        # reads `description` first, and a docstring cannot be translated.
        if self.description is None:
            self.description = DESCRIPTION
        return super().get_view_description(html)

    def get_object(self):
        # One 404 message for every route, as for an unknown URL (DRF's default would say
        # "No Movie matches the given query." on some routes and "Not found." on others).
        try:
            return super().get_object()
        except Http404:
            raise NotFound() from None

    def filter_queryset(self, queryset):
        # The list's filters are applied by movies.reads; one film is found by its id alone.
        return queryset

    def get_serializer_context(self):
        # The Flask app's route reads every number as a UNIX timestamp, as that app did.
        return {
            **super().get_serializer_context(),
            "any_timestamp": self.action == "create_legacy",
        }

    def get_success_headers(self, data):
        # Where the new film lives (DRF's default looks for a `url` field, which films lack).
        location = reverse("movie-detail", args=[data["id"]])
        return {"Location": self.request.build_absolute_uri(location)}

    def destroy(self, request, *args, **kwargs):
        self.get_object().delete()
        return Response({"detail": str(DELETED)})

    @extend_schema(
        operation_id="add_film_flask",
        summary="Add a film (the Flask app's route)",
        responses={201: MovieSerializer, 409: ID_TAKEN},
        parameters=[LOCATION_HEADER],
        deprecated=True,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="create",
        url_name="create-legacy",
        name=_("Add a film (the Flask app's route)"),
    )
    def create_legacy(self, request):
        """Adds a film, as `POST /api/` does; for clients of the Flask app.

        Besides JSON, it takes the Flask app's form fields (`title=...&release_date=...`,
        form-encoded or multipart). An invalid body is answered as the Flask app answered
        it, `{"detail": "Please provide the title and release_date."}`, with a message for
        each invalid field beside it.
        """
        try:
            return self.create(request)
        except ValidationError as error:  # the serializer's: a message per field
            return Response(
                {"detail": str(FLASK_INVALID_BODY), **error.detail}, status.HTTP_400_BAD_REQUEST
            )

    @extend_schema(
        operation_id="watch_film",
        summary="Mark a film watched",
        request=None,
        responses={200: MovieSerializer, 400: Detail},
    )
    # No input: the browsable API then shows just a POST button for these actions.
    @action(detail=True, methods=["post"], serializer_class=serializers.Serializer)
    def watch(self, request, pk=None):
        """Marks the film watched, now. If it already is, answers 400 and changes nothing."""
        return self.change_watch_state(MovieQuerySet.mark_watched, ALREADY_WATCHED)

    @extend_schema(
        operation_id="unwatch_film",
        summary="Mark a film unwatched",
        request=None,
        responses={200: MovieSerializer, 400: Detail},
    )
    @action(detail=True, methods=["post"], serializer_class=serializers.Serializer)
    def unwatch(self, request, pk=None):
        """Marks the film not watched. If it is not, answers 400 and changes nothing."""
        return self.change_watch_state(MovieQuerySet.mark_unwatched, NOT_WATCHED)

    # A browser's session cookie rides along on any cross-site GET, unprotected by CSRF, so
    # GET here takes a token only (movies.permissions.TokenRequiredForGet).
    @extend_schema(
        methods=["GET"],
        operation_id="watch_film_flask_get",
        auth=[{"tokenAuth": []}],
        **LEGACY_WATCH_SCHEMA,
    )
    @extend_schema(methods=["POST"], operation_id="watch_film_flask", **LEGACY_WATCH_SCHEMA)
    def legacy_watch(self, request, pk=None):
        """Marks the film watched, as `POST /api/<id>/watch/` does; for clients of the Flask
        app. `GET` (with a token only) does the same, as the Flask app's route did."""
        return self.watch(request, pk)

    def change_watch_state(self, change, refusal):
        film = self.get_queryset().filter(pk=self.kwargs["pk"])
        # One conditional UPDATE decides; only a refusal costs a second query to tell
        # "no such film" (404) from "already in that state" (400).
        if not change(film):
            if not film.exists():
                raise NotFound()
            raise WatchStateUnchanged(refusal)
        return Response(reads.film(self.kwargs["pk"]))
