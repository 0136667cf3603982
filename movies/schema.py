"""OpenAPI descriptions that drf-spectacular cannot infer from the code."""

from django.core.validators import RegexValidator
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from movies.fields import MAX_TIMESTAMP, MIN_JSON_TIMESTAMP
from movies.serializers import MovieSerializer
from watchlist.internals.drf_spectacular import default_field_schema


class ReleaseDateFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "movies.fields.ReleaseDateField"

    def map_serializer_field(self, auto_schema, direction):
        iso_date = build_basic_type(OpenApiTypes.DATE)
        if direction == "response":
            return iso_date
        timestamp = {
            "type": "number",
            "minimum": MIN_JSON_TIMESTAMP,
            "maximum": MAX_TIMESTAMP,
            "description": "UNIX timestamp in seconds, read in UTC",
        }
        return {"oneOf": [iso_date, timestamp]}


# What the API accepts as a title, for generated clients and fuzzers: no NUL and no lone
# surrogate anywhere, and something besides whitespace (titles are trimmed, then must not
# be blank). Python's \s, like str.strip(), is the whitespace meant here.
TITLE_PATTERN = r"^[^\x00\ud800-\udfff]*[^\s\x00\ud800-\udfff][^\x00\ud800-\udfff]*$"


class StrictCharFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "movies.fields.StrictCharField"

    def map_serializer_field(self, auto_schema, direction):
        schema = default_field_schema(auto_schema, self.target, direction)
        has_pattern = any(isinstance(v, RegexValidator) for v in self.target.validators)
        if direction == "request" and not has_pattern:  # ids have patterns of their own
            schema["pattern"] = TITLE_PATTERN
        return schema


class SessionCookieScheme(SessionScheme):
    target_class = "accounts.authentication.SessionCookieAuthentication"


# Used by the viewset's extend_schema declarations.
Detail = inline_serializer("Detail", {"detail": serializers.CharField()})
ID_TAKEN = OpenApiResponse(
    response={"$ref": "#/components/schemas/ValidationError"},
    description="Another film has one of these ids (a message under its field); nothing "
    "was changed.",
)
LINK_HEADER = OpenApiParameter(
    "Link",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200],
    description='RFC 8288 links to the neighbouring pages: rel="next" and rel="prev".',
)
LOCATION_HEADER = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    location=OpenApiParameter.HEADER,
    response=[201],
    description="The new film's URL.",
)
LEGACY_WATCH_SCHEMA = {
    "summary": "Mark a film watched (the Flask app's route)",
    "request": None,
    "responses": {200: MovieSerializer, 400: Detail},
    "deprecated": True,
}
