"""JSON answers are gzipped for clients that take gzip, with Django's mitigation of
compression side channels (random bytes in each gzip header, so no two answers match)."""

import gzip
import json
from http import HTTPStatus

import pytest
from django.urls import reverse

from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def films():
    return [make_movie(f"Film number {n}") for n in range(10)]


def test_the_list_is_gzipped_for_a_client_that_takes_it(anon_client, films):
    plain = anon_client.get(reverse("movie-list"))

    gzipped = anon_client.get(reverse("movie-list"), **GZIP)

    assert gzipped.status_code == HTTPStatus.OK
    assert gzipped["Content-Encoding"] == "gzip"
    assert gzipped["Vary"] == plain["Vary"] == "Accept, Accept-Encoding, Accept-Language"
    assert int(gzipped["Content-Length"]) == len(gzipped.content) < len(plain.content)
    assert gzip.decompress(gzipped.content) == plain.content
    assert gzipped["ETag"] == plain["ETag"]


def test_no_two_gzipped_answers_are_alike(anon_client, films):
    first = anon_client.get(reverse("movie-list"), **GZIP).content
    second = anon_client.get(reverse("movie-list"), **GZIP).content

    assert first != second
    assert gzip.decompress(first) == gzip.decompress(second)


def test_a_client_that_does_not_take_gzip_gets_plain_json(anon_client, films):
    response = anon_client.get(reverse("movie-list"), HTTP_ACCEPT_ENCODING="identity")

    assert "Content-Encoding" not in response
    assert len(response.json()) == 10


def test_the_schema_is_gzipped(anon_client):
    plain = anon_client.get(reverse("schema"), {"format": "json"})

    gzipped = anon_client.get(reverse("schema"), {"format": "json"}, **GZIP)

    assert gzipped["Content-Encoding"] == "gzip"
    assert len(gzipped.content) * 5 < len(plain.content)
    assert json.loads(gzip.decompress(gzipped.content))["info"]["title"] == "watchlist API"
    assert "Accept-Encoding" in gzipped["Vary"]


def test_a_short_answer_is_not_worth_compressing(anon_client, films):
    """Under 200 bytes (Django's threshold), gzip's header and trailer would outweigh it."""
    response = anon_client.get(reverse("movie-detail", args=[films[-1].id + 1]), **GZIP)

    assert "Content-Encoding" not in response
    assert response.json() == {"detail": "Not found."}
    assert response["Vary"] == "Accept, Accept-Encoding, Accept-Language"
