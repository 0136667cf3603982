"""The watchlist's one model: a film, and whether (and when) it was watched."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Trim
from django.utils import timezone

from movies.search import FoldCase, titles_containing


class MovieQuerySet(models.QuerySet):
    def search(self, text):
        """Films whose title contains `text`, whatever the case (movies.search says how)."""
        return titles_containing(self, text)

    def watched(self):
        return self.filter(is_watched=True)

    def unwatched(self):
        return self.filter(is_watched=False)

    def mark_watched(self):
        """Mark the unwatched films here watched, in one UPDATE; returns how many changed.

        The `is_watched=False` condition is part of the statement, so of two concurrent calls
        on one film exactly one changes it: the row count is the outcome.
        """
        return self.unwatched().update(is_watched=True, watched_at=timezone.now())

    def mark_unwatched(self):
        """Mark the watched films here unwatched, in one UPDATE; returns how many changed."""
        return self.watched().update(is_watched=False, watched_at=None)


class Movie(models.Model):
    title = models.CharField(max_length=128)
    release_date = models.DateField()
    is_watched = models.BooleanField(default=False)
    watched_at = models.DateTimeField(null=True, blank=True)
    # The title as the search compares it: each character case-folded (movies.search).
    title_folded = models.GeneratedField(
        expression=FoldCase("title"),
        output_field=models.CharField(max_length=128),
        db_persist=True,
    )

    objects = MovieQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="movie_watched_at_iff_is_watched",
                condition=Q(is_watched=True, watched_at__isnull=False)
                | Q(is_watched=False, watched_at__isnull=True),
                violation_error_message="A watched film needs watched_at, an unwatched one none.",
            ),
            models.CheckConstraint(
                name="movie_title_not_blank",
                condition=~Q(title=""),
                violation_error_message="The title may not be blank.",
            ),
            models.CheckConstraint(
                name="movie_title_trimmed",
                condition=Q(title=Trim("title")),
                violation_error_message="The title may not start or end with spaces.",
            ),
        ]
        indexes = [
            # The list filter on is_watched keeps the default id order from its index alone.
            models.Index(fields=["is_watched", "id"], name="movie_is_watched_id_idx"),
            models.Index(fields=["title", "id"], name="movie_title_id_idx"),
            models.Index(fields=["release_date", "id"], name="movie_release_date_id_idx"),
            models.Index(fields=["watched_at", "id"], name="movie_watched_at_id_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.release_date:%Y})"
