"""Small builders for test data: explicit, no factory library needed for one model."""

from datetime import date
from itertools import count

from django.utils import timezone

from movies.models import Movie

_serial = count(1)


def make_movie(title=None, release_date=date(2000, 1, 1), watched=False, **fields):
    return Movie.objects.create(
        title=title or f"Film {next(_serial)}",
        release_date=release_date,
        is_watched=watched,
        watched_at=timezone.now() if watched else None,
        **fields,
    )


def movie_rows():
    """The whole table as plain tuples, to assert that a request changed nothing."""
    return list(Movie.objects.order_by("id").values_list())
