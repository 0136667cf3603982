"""A film reads the same whoever writes it: the fast renderer and the reader against DRF's
own JSONRenderer and the serializer (which the write answers use), on random films."""

import datetime

import pytest
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from movies import reads
from movies.models import Movie
from movies.renderers import FastJSONRenderer
from movies.serializers import MovieSerializer
from movies.tests.test_read_paths_agree import FILM, stored

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Every shape of list query (its SQL differs with the filters and the ordering).
ORDERINGS = ["id", "title", "release_date", "watched_at"]
VALID_LIST_PARAMETERS = st.fixed_dictionaries(
    {},
    optional={
        "is_watched": st.sampled_from(["true", "false"]),
        "search": st.sampled_from(["a", "e", "film", "É", "ß", "%", "_"]),
        "ordering": st.lists(
            st.sampled_from(ORDERINGS).flatmap(lambda f: st.sampled_from([f, f"-{f}"])),
            min_size=1,
            max_size=3,
        ).map(",".join),
        "page_size": st.integers(1, 5).map(str),
    },
)
TEXT = st.text()
AWARE = st.datetimes(timezones=st.just(datetime.UTC))
NAIVE = st.datetimes()
LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), TEXT, st.dates(), AWARE, NAIVE
)
DATA = st.recursive(
    LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)


def as_utc(data):
    """What the data means: naive datetimes are UTC (SQLite returns them so)."""
    if isinstance(data, datetime.datetime) and data.tzinfo is None:
        return data.replace(tzinfo=datetime.UTC)
    if isinstance(data, list):
        return [as_utc(item) for item in data]
    if isinstance(data, dict):
        return {key: as_utc(value) for key, value in data.items()}
    return data


@SETTINGS
@given(data=DATA, indent=st.sampled_from([None, "application/json; indent=2"]))
def test_fast_renderer_writes_what_drfs_renderer_writes(data, indent):
    assert FastJSONRenderer().render(data, indent) == JSONRenderer().render(as_utc(data), indent)


@pytest.mark.django_db
@SETTINGS
@given(film=FILM)
def test_a_read_film_is_what_the_serializer_makes_of_it(film):
    with transaction.atomic():
        movie = stored(film)
        movie.save()
        movie.refresh_from_db()

        read = FastJSONRenderer().render(reads.film(str(movie.pk)))

        assert read == JSONRenderer().render(MovieSerializer(movie).data)
        transaction.set_rollback(True)


@pytest.mark.django_db
@SETTINGS
@given(films=st.lists(FILM, min_size=1, max_size=8), parameters=VALID_LIST_PARAMETERS)
def test_a_page_of_films_is_what_the_serializer_makes_of_them(films, parameters):
    with transaction.atomic():
        Movie.objects.bulk_create(stored(film) for film in films)
        query = QueryDict(mutable=True)
        for name, value in parameters.items():
            query[name] = value

        page = reads.film_page(query).films
        movies = Movie.objects.in_bulk([row["id"] for row in page])

        expected = MovieSerializer([movies[row["id"]] for row in page], many=True).data
        assert FastJSONRenderer().render(page) == JSONRenderer().render(expected)
        transaction.set_rollback(True)
