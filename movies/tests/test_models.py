"""The database itself keeps the rules, whatever writes to it (admin, fixtures, shell)."""

from datetime import date

import pytest
from django.db import IntegrityError
from django.utils import timezone

from movies.models import Movie
from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("is_watched", "watched_at"), [(True, None), (False, timezone.now())])
def test_watched_at_must_match_is_watched(is_watched, watched_at):
    with pytest.raises(IntegrityError, match="movie_watched_at_iff_is_watched"):
        Movie.objects.create(
            title="Inception",
            release_date=date(2010, 7, 16),
            is_watched=is_watched,
            watched_at=watched_at,
        )


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
