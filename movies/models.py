"""The watchlist's one model: a film, whether (and when) it was watched, and what other
services know it by."""

import uuid
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.db.models.functions import Trim
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from movies.search import FoldCase, titles_containing

MAX_YEAR = 9999  # the last year a date holds
MAX_RATING = 10
# Films in release order: by year, and within a year a film known only by its year first,
# then by date. (A date alone would put those films first on SQLite and last on PostgreSQL,
# away from their year; an expression without NULLs is ordered, and indexed, alike on both.)
RELEASE_ORDER = (
    F("release_year"),
    ExpressionWrapper(Q(release_date__isnull=False), output_field=models.BooleanField()),
    F("release_date"),
)
# Films in title order: whatever their case and accents (the search's fold), then by the
# title itself, so that "amores perros" comes before "Zodiac", and "Amélie" next to "Amelie".
TITLE_ORDER = (F("title_folded"), F("title"))


def check_release(release_date, release_year):
    """A film's release is a date, or a year alone; given both, the year is the date's.
    (`release_year` None: taken from the date.) Raises ValidationError naming the field."""
    if release_date is None and release_year is None:
        message = _("Give a release date, or the release year alone.")
        raise ValidationError({"release_date": message})
    if None not in (release_date, release_year) and release_year != release_date.year:
        message = _("release_year must be the year of release_date (%(year)s).")
        raise ValidationError({"release_year": message % {"year": release_date.year}})


class MovieQuerySet(models.QuerySet):
    def search(self, text):
        """Films whose title contains `text`, whatever the case (movies.search says how)."""
        return titles_containing(self, text)

    def watched(self):
        return self.filter(is_watched=True)

    def unwatched(self):
        return self.filter(is_watched=False)

    def mark_watched(self):
        """Mark the unwatched films here watched, now, in one UPDATE; returns how many
        changed.

        The `is_watched=False` condition is part of the statement, so of two concurrent calls
        on one film exactly one changes it: the row count is the outcome.
        """
        now = timezone.now()
        return self.unwatched().update(is_watched=True, watched_at=now, watched_on=now.date())

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for film in objs:
            film.derive_dates()
        return super().bulk_create(objs, *args, **kwargs)

    def mark_unwatched(self):
        """Mark the watched films here unwatched, in one UPDATE; returns how many changed."""
        return self.watched().update(is_watched=False, watched_at=None, watched_on=None)


class Movie(models.Model):
    title = models.CharField(_("title"), max_length=128)
    # A film known only by its year has no date: the year is never made into 1 January.
    release_date = models.DateField(_("release date"), null=True, blank=True)
    release_year = models.PositiveSmallIntegerField(
        _("release year"),
        blank=True,  # taken from the date when one is given
        validators=[MinValueValidator(1), MaxValueValidator(MAX_YEAR)],
        help_text=_("The year of the release date, or alone for a film known only by its year."),
    )
    is_watched = models.BooleanField(_("watched"), default=False)
    # When it was watched: the moment (watching it here, or a source that says the time),
    # else the day alone (a diary), else neither (a source that says only "watched").
    watched_at = models.DateTimeField(_("watched at"), null=True, blank=True)
    watched_on = models.DateField(
        _("watched on"), null=True, blank=True, help_text=_("The day it was watched (UTC).")
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RATING)],
        help_text=_("Your rating, 1 to 10."),
    )
    # What other services call it; each names one film here, when known.
    imdb_id = models.CharField(_("IMDb id"), max_length=12, null=True, blank=True, unique=True)
    tmdb_id = models.PositiveIntegerField(_("TMDB id"), null=True, blank=True, unique=True)
    letterboxd_uri = models.CharField(
        _("Letterboxd URI"), max_length=200, null=True, blank=True, unique=True
    )
    # The title as the search compares and ordering sorts it: each character folded, case
    # and accents (movies.search).
    title_folded = models.GeneratedField(
        expression=FoldCase("title"),
        output_field=models.CharField(max_length=128),
        db_persist=True,
    )

    objects = MovieQuerySet.as_manager()

    class Meta:
        verbose_name = _("film")
        verbose_name_plural = _("films")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="movie_watch_dates_only_if_watched",
                condition=Q(is_watched=True) | Q(watched_at__isnull=True, watched_on__isnull=True),
                violation_error_message=_("An unwatched film has no watched_at or watched_on."),
            ),
            models.CheckConstraint(
                name="movie_watched_on_with_watched_at",
                condition=Q(watched_at__isnull=True) | Q(watched_on__isnull=False),
                violation_error_message=_("A film with watched_at needs watched_on."),
            ),
            models.CheckConstraint(
                name="movie_title_not_blank",
                condition=~Q(title=""),
                violation_error_message=_("The title may not be blank."),
            ),
            models.CheckConstraint(
                name="movie_title_trimmed",
                condition=Q(title=Trim("title")),
                violation_error_message=_("The title may not start or end with spaces."),
            ),
            models.CheckConstraint(
                name="movie_release_year_range",
                condition=Q(release_year__gte=1, release_year__lte=MAX_YEAR),
                violation_error_message=format_lazy(
                    _("The release year is 1 to {max}."), max=MAX_YEAR
                ),
            ),
            models.CheckConstraint(
                name="movie_release_year_of_date",
                condition=Q(release_date__isnull=True) | Q(release_date__year=F("release_year")),
                violation_error_message=_("The release year is the year of the release date."),
            ),
            models.CheckConstraint(
                name="movie_rating_range",
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=MAX_RATING),
                violation_error_message=format_lazy(_("A rating is 1 to {max}."), max=MAX_RATING),
            ),
        ]
        indexes = [
            # The list filter on is_watched keeps the default id order from its index alone.
            models.Index(fields=["is_watched", "id"], name="movie_is_watched_id_idx"),
            # Ordering by release date (RELEASE_ORDER, then id).
            models.Index(*RELEASE_ORDER, F("id"), name="movie_release_order_id_idx"),
            models.Index(fields=["watched_at", "id"], name="movie_watched_at_id_idx"),
            # Imports match a film by its folded title and year when no id names it; ordering
            # by title reads it in TITLE_ORDER, sorting only films of one folded title.
            models.Index(fields=["title_folded", "release_year"], name="movie_title_year_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.release_year})"

    def save(self, *args, update_fields=None, **kwargs):
        derived = self.derive_dates()
        if update_fields is not None:
            update_fields = {*update_fields}
            update_fields |= {target for source, target in derived if source in update_fields}
        super().save(*args, update_fields=update_fields, **kwargs)

    def clean(self):
        check_release(self.release_date, self.release_year)

    def derive_dates(self):
        """The year follows the date, and the day the moment, whoever sets them (the API,
        the admin, imports, the shell): called on every save and bulk_create. Returns the
        (source, derived) field pairs it set."""
        derived = []
        if self.release_date is not None:
            self.release_date = self._meta.get_field("release_date").to_python(self.release_date)
            self.release_year = self.release_date.year
            derived.append(("release_date", "release_year"))
        if self.watched_at is not None:
            self.watched_at = self._meta.get_field("watched_at").to_python(self.watched_at)
            self.watched_on = self.watched_at.astimezone(UTC).date()
            derived.append(("watched_at", "watched_on"))
        return derived


class PendingImport(models.Model):
    """A file uploaded on the admin's import page, kept from its preview to its confirmation
    (by whichever instance serves that), then deleted; a day at most."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    on_error = models.CharField(max_length=5)

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self):
        return self.name
