"""Conditional GET: every read names its content with an ETag; a client that sends it back
gets a 304 with no body while nothing changed, and a write changes it at once."""

import gzip
from http import HTTPStatus

import pytest
from django.urls import reverse

from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db

LIST = reverse("movie-list")


def detail(film):
    return reverse("movie-detail", args=[film.id])


@pytest.fixture
def film():
    make_movie("Fight Club")
    return make_movie("Inception")


@pytest.mark.parametrize("which", ["list", "detail"])
def test_reads_carry_a_weak_etag_and_must_revalidate(anon_client, film, which):
    response = anon_client.get(LIST if which == "list" else detail(film))

    assert response.status_code == HTTPStatus.OK
    assert response["ETag"].startswith('W/"')
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("which", ["list", "detail"])
def test_the_same_etag_answers_304_without_a_body(anon_client, film, which):
    url = LIST if which == "list" else detail(film)
    first = anon_client.get(url)

    again = anon_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    for name in ("ETag", "Cache-Control", "Vary"):
        assert again[name] == first[name], name


def test_token_and_anonymous_reads_share_the_etag(anon_client, token_client, film):
    anonymous = anon_client.get(detail(film))

    with_token = token_client.get(detail(film), HTTP_IF_NONE_MATCH=anonymous["ETag"])

    assert with_token.status_code == HTTPStatus.NOT_MODIFIED


def test_another_etag_answers_the_film(anon_client, film):
    response = anon_client.get(detail(film), HTTP_IF_NONE_MATCH='W/"something else"')

    assert response.status_code == HTTPStatus.OK
    assert response.json()["title"] == "Inception"


@pytest.mark.parametrize(
    ("change", "which"),
    [
        ("patch", "detail"),
        ("patch", "list"),
        ("watch", "detail"),
        ("watch", "list"),
        ("create", "list"),
        ("delete", "list"),
    ],
)
def test_a_write_changes_the_etag_at_once(anon_client, token_client, film, change, which):
    url = LIST if which == "list" else detail(film)
    before = anon_client.get(url)

    if change == "patch":
        token_client.patch(detail(film), {"title": "Inception (2010)"}, format="json")
    elif change == "watch":
        token_client.post(reverse("movie-watch", args=[film.id]))
    elif change == "create":
        token_client.post(LIST, {"title": "Memento", "release_date": "2000-10-11"})
    else:
        token_client.delete(detail(film))
    after = anon_client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == HTTPStatus.OK
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content


def test_writes_carry_no_etag(token_client, film):
    response = token_client.patch(detail(film), {"title": "Inception"}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert "ETag" not in response


def test_an_error_answer_is_never_a_304(anon_client, film):
    missing = reverse("movie-detail", args=[film.id + 100])
    etag = anon_client.get(missing)["ETag"]

    response = anon_client.get(missing, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found."}


def test_answers_that_must_not_be_stored_carry_no_etag(client):
    response = client.get("/healthz")

    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response


def test_a_304_to_a_gzip_client_keeps_the_headers_of_its_200(anon_client, film):
    for n in range(5):
        make_movie(f"Film {n}")  # a list long enough to be worth compressing
    gzip_client = {"HTTP_ACCEPT_ENCODING": "gzip"}
    first = anon_client.get(LIST, **gzip_client)
    assert first["Content-Encoding"] == "gzip"

    again = anon_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"], **gzip_client)

    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again["ETag"] == first["ETag"] == anon_client.get(LIST)["ETag"]
    assert again["Vary"] == first["Vary"] == "Accept, Accept-Encoding, Accept-Language"
    assert gzip.decompress(first.content) == anon_client.get(LIST).content
