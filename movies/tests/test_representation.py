"""A film reads the same whoever writes it: the fast renderer and the reader against DRF's
own JSONRenderer and the serializer (which the write answers use), on random films."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from movies import reads
from movies.renderers import FastJSONRenderer
from movies.serializers import MovieSerializer
from movies.tests.test_read_paths_agree import FILM, stored

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
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
