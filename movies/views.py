from collections.abc import Mapping

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from movies import reads
from movies.filters import MovieFilter
from movies.models import Movie, MovieQuerySet
from movies.renderers import FastJSONRenderer
from movies.schema import LEGACY_WATCH_SCHEMA, LINK_HEADER, Detail
from movies.serializers import MovieSerializer

DELETED = "Movie has been successfully deleted."
ALREADY_WATCHED = "Movie has already been watched."
NOT_WATCHED = "Movie has not been watched."
MISSING_FIELDS = "Please provide the title and release_date."


class WatchStateUnchanged(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "watch_state_unchanged"


@extend_schema_view(
    list=extend_schema(summary="List films, a page at a time", parameters=[LINK_HEADER]),
    create=extend_schema(summary="Add a film"),
    retrieve=extend_schema(summary="Get one film"),
    update=extend_schema(summary="Replace a film's title and release date"),
    partial_update=extend_schema(summary="Change a film's title or release date"),
    destroy=extend_schema(summary="Delete a film", responses={200: Detail}),
)
class MovieViewSet(viewsets.ModelViewSet):
    """Films on the watchlist.

    Reads are public; writes need a signed-in user (token or session).
    - `GET /api/` lists films (filters: is_watched, search, ordering; paginated).
    - `POST /api/` (or the Flask-era `POST /api/create/`) adds one.
    - `GET|PUT|PATCH|DELETE /api/<id>/` reads, edits, deletes one.
    - `POST /api/<id>/watch/` and `/unwatch/` change its watched state; a repeat is a 400.
    - `GET|POST /api/watch/<id>/` is the Flask-era watch route (GET needs a token).
    """

    queryset = Movie.objects.all()
    serializer_class = MovieSerializer
    filterset_class = MovieFilter
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]
    lookup_value_regex = "[0-9]+"

    # Reads go through movies.reads, which anonymous JSON reads reach earlier too
    # (movies.early_reads): one query, one set of rows, one encoding for both.
    def list(self, request, *args, **kwargs):
        films, headers = reads.film_list(request)
        return Response(films, headers=headers)

    def retrieve(self, request, *args, **kwargs):
        film, headers = reads.film_detail(request, self.kwargs["pk"])
        return Response(film, headers=headers)

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

    def destroy(self, request, *args, **kwargs):
        self.get_object().delete()
        return Response({"detail": DELETED})

    @extend_schema(
        summary="Add a film (Flask-era alias of POST /api/)",
        responses={201: MovieSerializer},
        deprecated=True,
    )
    @action(detail=False, methods=["post"], url_path="create", url_name="create-legacy")
    def create_legacy(self, request):
        # A body that is not an object (JSON null, a list) is the serializer's 400 to give.
        if isinstance(request.data, Mapping):
            missing = [name for name in ("title", "release_date") if name not in request.data]
            if missing:
                # Flask clients read `detail`; the per-field messages stand beside it.
                errors = {name: ["This field is required."] for name in missing}
                return Response({"detail": MISSING_FIELDS, **errors}, status.HTTP_400_BAD_REQUEST)
        return self.create(request)

    @extend_schema(
        summary="Mark a film watched", request=None, responses={200: MovieSerializer, 400: Detail}
    )
    # No input: the browsable API then shows just a POST button for these actions.
    @action(detail=True, methods=["post"], serializer_class=serializers.Serializer)
    def watch(self, request, pk=None):
        return self.change_watch_state(MovieQuerySet.mark_watched, ALREADY_WATCHED)

    @extend_schema(
        summary="Mark a film unwatched",
        request=None,
        responses={200: MovieSerializer, 400: Detail},
    )
    @action(detail=True, methods=["post"], serializer_class=serializers.Serializer)
    def unwatch(self, request, pk=None):
        return self.change_watch_state(MovieQuerySet.mark_unwatched, NOT_WATCHED)

    @extend_schema(methods=["GET"], operation_id="api_watch_legacy_get", **LEGACY_WATCH_SCHEMA)
    @extend_schema(methods=["POST"], operation_id="api_watch_legacy_post", **LEGACY_WATCH_SCHEMA)
    def legacy_watch(self, request, pk=None):
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
