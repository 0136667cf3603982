"""The database itself keeps the rules, whatever writes to it (admin, fixtures, shell)."""

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from movies.models import Movie
from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "watched", [{"watched_at": timezone.now()}, {"watched_on": date(2020, 1, 1)}]
)
def test_an_unwatched_film_has_no_watch_dates(watched):
    with pytest.raises(IntegrityError, match="movie_watch_dates_only_if_watched"):
        Movie.objects.create(title="Inception", release_date=date(2010, 7, 16), **watched)


def test_a_watched_film_may_have_no_watch_date_or_only_the_day():
    """What a source says and no more: watched, watched on a day, or at a moment."""
    Movie.objects.create(title="A", release_year=2010, is_watched=True)
    Movie.objects.create(
        title="B", release_year=2010, is_watched=True, watched_on=date(2020, 1, 1)
    )

    assert list(Movie.objects.values_list("watched_at", "watched_on")) == [
        (None, None),
        (None, date(2020, 1, 1)),
    ]


def test_the_day_follows_the_moment_and_the_year_the_date():
    moment = datetime(2020, 1, 1, 23, 30, tzinfo=UTC)
    film = Movie.objects.create(
        title="Inception", release_date=date(2010, 7, 16), is_watched=True, watched_at=moment
    )

    film.refresh_from_db()
    assert (film.release_year, film.watched_on) == (2010, date(2020, 1, 1))
    film.release_date = date(2011, 1, 1)
    film.save(update_fields=["release_date"])
    film.refresh_from_db()
    assert film.release_year == 2011


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"release_year": 2011}, "movie_release_year_of_date"),  # the date says 2010
        ({"release_date": None, "release_year": 0}, "movie_release_year_range"),
        ({"rating": 11}, "movie_rating_range"),
        ({"rating": 0}, "movie_rating_range"),
    ],
)
def test_the_database_refuses_a_year_or_rating_out_of_rule(change, constraint):
    film = make_movie("Inception", date(2010, 7, 16))

    # An UPDATE writes what it is given (save() would take the year from the date).
    with pytest.raises(IntegrityError, match=constraint):
        Movie.objects.filter(pk=film.pk).update(**change)


@pytest.mark.parametrize("title", ["", " Inception", "Inception "])
def test_title_must_be_non_blank_and_trimmed(title):
    with pytest.raises(IntegrityError, match="movie_title"):
        Movie.objects.create(title=title, release_date=date(2010, 7, 16))


def test_mark_watched_changes_only_unwatched_films_and_counts_them():
    seen = make_movie("Seen", watched=True)
    first_watch = seen.watched_at
    make_movie("Unseen")

    changed = Movie.objects.all().mark_watched()

    assert changed == 1
    assert Movie.objects.watched().count() == 2
    seen.refresh_from_db()
    assert seen.watched_at == first_watch


def test_mark_unwatched_clears_watched_at():
    make_movie("Seen", watched=True)
    make_movie("Unseen")

    changed = Movie.objects.all().mark_unwatched()

    assert changed == 1
    assert list(Movie.objects.values_list("is_watched", "watched_at")) == [(False, None)] * 2


def test_str_names_the_film_and_its_year():
    assert str(make_movie("Inception", date(2010, 7, 16))) == "Inception (2010)"
