"""`POST /api/import/` and `GET /api/export/`: the API's doors to the import engine
(`movies.importing`) and the exports (`movies.exporting`)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from movies.exporting import FORMATS, chosen_films, streaming_response
from movies.importing import ON_ERROR, Refused, Upload, import_films
from movies.renderers import FastJSONRenderer
from movies.serializers import MovieSerializer
from movies.views import MethodsFirst


class CanAddFilms(BasePermission):
    """Staff, or users given the permission to add films (`movies.add_movie`)."""

    message = _("Importing needs a staff account or the permission to add films.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and (user.is_staff or user.has_perm("movies.add_movie")))


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.ListField(
        # An empty file is the import's to answer, as on the command line: "x.csv is empty."
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        help_text=_("The export to import: one or more files (CSV, JSON or a ZIP archive)."),
    )
    dry_run = serializers.BooleanField(
        default=False, help_text=_("Report what would change, and write nothing.")
    )
    on_error = serializers.ChoiceField(
        ON_ERROR,
        default="abort",
        help_text=_(
            "`abort`: any invalid row means nothing is imported. `skip`: the valid rows "
            "are imported, the invalid ones reported."
        ),
    )


class ImportReportSerializer(serializers.Serializer):
    """What an import found and did (dry or aborted: would do)."""

    written = serializers.BooleanField(help_text=_("Whether the changes were saved."))
    dry_run = serializers.BooleanField()
    on_error = serializers.ChoiceField(ON_ERROR)
    files = serializers.ListField(
        child=serializers.DictField(),
        help_text=_(
            "Each file read, with the format recognised (`format`, `format_name`) and "
            "its rows; or why it was ignored (`ignored`), for the files of an archive."
        ),
    )
    rows = serializers.IntegerField(help_text=_("Rows read, in every file."))
    created = serializers.IntegerField(help_text=_("Films added to the list."))
    updated = serializers.IntegerField(help_text=_("Films of the list given what they lacked."))
    unchanged = serializers.IntegerField(help_text=_("Films of the list already as the rows say."))
    merged = serializers.IntegerField(help_text=_("Rows of a film an earlier row had met."))
    skipped = serializers.IntegerField(help_text=_("Rows that are not films (series, episodes)."))
    invalid = serializers.IntegerField(help_text=_("Rows the API would refuse."))
    problems = serializers.ListField(
        child=serializers.DictField(),
        help_text=_(
            "The invalid rows (the first 10,000): `file`, `line` (CSV; the header is line 1) "
            "or `path` (JSON), `column`, `message`, and the `value` found."
        ),
    )
    skips = serializers.ListField(
        child=serializers.DictField(), help_text=_("The rows skipped (the first 10,000).")
    )
    merges = serializers.ListField(
        child=serializers.DictField(), help_text=_("The first 100 rows merged, and into what.")
    )
    changes = serializers.ListField(
        child=serializers.DictField(), help_text=_("The first 100 films added or completed.")
    )


REFUSED = OpenApiResponse(
    response={"$ref": "#/components/schemas/Error"},
    description="The file cannot be imported (its `detail` says why); nothing was changed.",
)


class ImportView(MethodsFirst, APIView):
    """Imports films from exports of IMDb, Letterboxd or Trakt, or of this site.

    Send the files as multipart form data, in the field `file`. The format is recognised
    from each file's content. An import adds films and fills in what a film lacks; it never
    clears or changes what is there, so importing a file again changes nothing. The answer
    is the report: the format of each file, how many films were added, completed or already
    there, the rows skipped (not films), and every invalid row with its line and why.
    """

    permission_classes = [IsAuthenticated, CanAddFilms]
    parser_classes = [MultiPartParser]
    renderer_classes = [FastJSONRenderer]
    # The uploads may be this large (watchlist.limits); other routes keep the usual limit.
    body_limit_setting = "WATCHLIST_IMPORT_MAX_BYTES"

    def get_view_name(self):
        return _("Import films")

    @extend_schema(
        operation_id="import_films",
        summary="Import films from an export",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportReportSerializer,
            400: OpenApiResponse(
                ImportReportSerializer,
                description="Invalid rows (with `on_error` abort: the report, and nothing "
                "written), or a file that cannot be read (`detail`).",
            ),
            409: REFUSED,
            413: REFUSED,
            415: REFUSED,
        },
    )
    def post(self, request):
        parameters = ImportRequestSerializer(data=request.data)
        parameters.is_valid(raise_exception=True)
        options = parameters.validated_data
        uploads = [Upload.from_uploaded_file(uploaded) for uploaded in options["file"]]
        try:
            report = import_films(
                uploads, dry_run=options["dry_run"], on_error=options["on_error"]
            )
        except Refused as refusal:
            return Response(refusal.as_dict(), status=refusal.status)
        refused = not report.complete and options["on_error"] == "abort"
        return Response(
            report.as_dict(), status=status.HTTP_400_BAD_REQUEST if refused else status.HTTP_200_OK
        )


class ExportRenderer(BaseRenderer):
    """Names an export format for content negotiation (`?format=` or `Accept`); the view
    streams the export itself."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError  # the view streams exports, and answers the rest in JSON


def export_renderer(key):
    return type(
        f"{key.title()}ExportRenderer",
        (ExportRenderer,),
        {"format": key, "media_type": FORMATS[key].media_type},
    )


class ExportView(MethodsFirst, APIView):
    """Exports the films, streamed: `?format=csv` (the default; a spreadsheet opens it, and
    the import reads it back), `json` (each film as the API shows it) or `letterboxd` (the
    CSV Letterboxd's importer reads). Filter with `is_watched` and `search`, as the list;
    films come in id order. Anyone who may read the films may export them."""

    renderer_classes = [export_renderer(key) for key in FORMATS]

    def get_view_name(self):
        return _("Export films")

    @extend_schema(
        operation_id="export_films",
        summary="Export the films",
        parameters=[
            OpenApiParameter(
                "format", enum=list(FORMATS), description=_("The file's format (default csv).")
            ),
            OpenApiParameter(
                "is_watched",
                bool,
                description=_(
                    "Only watched (or unwatched) films. Required with `letterboxd`: "
                    "Letterboxd marks every film it imports as watched, so its export is of the "
                    "watched films or of the watchlist."
                ),
            ),
            OpenApiParameter(
                "search", str, description=_("Only films whose title contains this.")
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(bytes, description="CSV, a film a line."),
            (200, "application/json"): OpenApiResponse(
                MovieSerializer(many=True), description="A JSON list of films."
            ),
        },
    )
    def get(self, request):
        key = request.accepted_renderer.format
        return streaming_response(chosen_films(request.GET, key), key)

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:  # a `?format=` no renderer has
            message = _("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMATS)}
            raise ValidationError({"format": [message]}) from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            # What is not the export (an error, OPTIONS) is JSON, as everywhere under /api/.
            response.accepted_renderer = FastJSONRenderer()
            response.accepted_media_type = FastJSONRenderer.media_type
        return response
