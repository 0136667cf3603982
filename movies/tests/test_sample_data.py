from datetime import date

import pytest
from django.core.management import call_command

from movies.models import Movie
from movies.tests.conftest import SAMPLE_TITLES
from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db

EXPECTED = [
    ("Fight Club", date(1999, 9, 15)),
    ("The Matrix", date(1999, 3, 31)),
    ("Donnie Darko", date(2001, 1, 19)),
    ("Inception", date(2010, 7, 16)),
]


def films():
    return list(Movie.objects.order_by("id").values_list("title", "release_date"))


def test_loaddata_movies_loads_the_four_films():
    call_command("loaddata", "movies", verbosity=0)

    assert films() == EXPECTED
    assert not Movie.objects.watched().exists()


def test_loaddata_twice_makes_no_duplicates():
    call_command("loaddata", "movies", verbosity=0)
    call_command("loaddata", "movies", verbosity=0)

    assert films() == EXPECTED


def test_new_films_after_loading_get_fresh_ids():
    call_command("loaddata", "movies", verbosity=0)

    movie = make_movie("Memento")

    assert movie.id not in Movie.objects.exclude(pk=movie.id).values_list("id", flat=True)
    assert Movie.objects.count() == 5


def test_load_sample_movies_fills_an_empty_table(capsys):
    call_command("load_sample_movies", verbosity=0)

    assert [title for title, _ in films()] == SAMPLE_TITLES


def test_load_sample_movies_leaves_a_used_table_alone(capsys):
    make_movie("Memento")

    call_command("load_sample_movies")

    assert [title for title, _ in films()] == ["Memento"]
    assert "not loaded" in capsys.readouterr().out
