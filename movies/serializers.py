from collections.abc import Mapping

from django.core.validators import RegexValidator
from django.db import IntegrityError, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException

from movies.fields import ReleaseDateField, StrictCharField
from movies.models import MAX_RATING, MAX_YEAR, Movie, check_release

# An IMDb title id (`tt0137523`), a Letterboxd film link as its exports give it
# (`https://boxd.it/2a1m`) or its film page (`https://letterboxd.com/film/fight-club/`).
IMDB_ID = RegexValidator(r"^tt[0-9]{7,10}\Z", _("Enter an IMDb title id: tt and 7 to 10 digits."))
LETTERBOXD_URI = RegexValidator(
    r"^https://(boxd\.it/[0-9A-Za-z]+|letterboxd\.com/film/[0-9a-z-]+/)\Z",
    _("Enter a Letterboxd film link: https://boxd.it/... or https://letterboxd.com/film/.../"),
)
# The largest id the database's integer column holds on every backend.
MAX_TMDB_ID = 2_147_483_647


UNIQUE_IDS = {
    "imdb_id": _("Another film on the list has this IMDb id."),
    "tmdb_id": _("Another film on the list has this TMDB id."),
    "letterboxd_uri": _("Another film on the list has this Letterboxd URI."),
}


class IdTaken(APIException):
    """Valid, but another film has one of the ids: 409, as the database's unique index says
    (no query beforehand, which two requests at once would both pass)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "id_taken"


# Declared field by field rather than as a ModelSerializer: a ModelSerializer introspects the
# model on every instantiation, which was a tenth of the cost of each write request.
class MovieSerializer(serializers.Serializer):
    """A film on the watchlist. Its watched state changes only by watching or unwatching it.

    A film has a release date, or only a release year when that is all that is known.
    """

    id = serializers.IntegerField(read_only=True)
    title = StrictCharField(
        label=_("Title"),
        max_length=Movie._meta.get_field("title").max_length,
        help_text=_("Stored without surrounding spaces."),
    )
    release_date = ReleaseDateField(
        label=_("Release date"),
        required=False,
        allow_null=True,
        help_text=_("Null for a film known only by its year. Give it or release_year."),
    )
    release_year = serializers.IntegerField(
        label=_("Release year"),
        required=False,
        min_value=1,
        max_value=MAX_YEAR,
        help_text=_(
            "The year of release_date when that is given; alone for a film known only by its year."
        ),
    )
    is_watched = serializers.BooleanField(read_only=True)
    watched_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("When it was watched (UTC); null if not, or if only the day is known."),
    )
    watched_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The day it was watched (UTC); null if not, or if that is not known."),
    )
    rating = serializers.IntegerField(
        label=_("Rating"),
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_RATING,
        help_text=format_lazy(_("Your rating, 1 to {maximum}; null if none."), maximum=MAX_RATING),
    )
    imdb_id = StrictCharField(
        label=_("IMDb id"),
        required=False,
        allow_null=True,
        max_length=Movie._meta.get_field("imdb_id").max_length,
        validators=[IMDB_ID],
        help_text=_("The film's IMDb id, such as tt0137523."),
    )
    tmdb_id = serializers.IntegerField(
        label=_("TMDB id"),
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_TMDB_ID,
        help_text=_("The film's id at The Movie Database."),
    )
    letterboxd_uri = StrictCharField(
        label=_("Letterboxd URI"),
        required=False,
        allow_null=True,
        max_length=Movie._meta.get_field("letterboxd_uri").max_length,
        validators=[LETTERBOXD_URI],
        help_text=_("The film's Letterboxd link, such as https://boxd.it/2a1m."),
    )

    class Meta:
        fields = [
            "id",
            "title",
            "release_date",
            "release_year",
            "is_watched",
            "watched_at",
            "watched_on",
            "rating",
            "imdb_id",
            "tmdb_id",
            "letterboxd_uri",
        ]

    def get_fields(self):
        fields = super().get_fields()
        # A film needs its release date, unless it is known only by its year. (Declared not
        # required, as the schema describes it.)
        data = getattr(self, "initial_data", None)
        if isinstance(data, Mapping) and "release_year" not in data:
            fields["release_date"].required = True
        return fields

    def validate(self, attrs):
        film = self.instance
        release_date = attrs.get("release_date", film.release_date if film else None)
        # A year not sent is the date's (or, on a change, the film's own if it has no date).
        release_year = attrs.get("release_year", film.release_year if film else None)
        if film and "release_year" not in attrs and release_date is not None:
            release_year = None
        check_release(release_date, release_year)
        return attrs

    def create(self, validated_data):
        return self.saved(Movie(**validated_data), None)

    def update(self, instance, validated_data):
        # Write only the fields this request sent: a full-row save would put back stale
        # values over a concurrent edit of another field, or over a concurrent watch.
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self.saved(instance, list(validated_data))

    def saved(self, film, update_fields):
        try:
            with transaction.atomic():
                film.save(update_fields=update_fields, force_insert=update_fields is None)
        except IntegrityError as error:
            taken = [field for field in UNIQUE_IDS if field in str(error)]
            if not taken:
                raise
            raise IdTaken({taken[0]: [UNIQUE_IDS[taken[0]]]}) from error
        return film
