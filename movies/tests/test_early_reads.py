"""Which reads are answered early, and that those answers are the viewset's own.

The property test in test_read_paths_agree.py compares the two ways on random input;
these are the cases worth naming.
"""

from datetime import date
from http import HTTPStatus

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.permissions import (
    AllowAny,
    BasePermission,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from rest_framework.throttling import BaseThrottle

from movies.tests.factories import make_movie
from movies.views import MovieViewSet
from watchlist.client_address import client_address
from watchlist.throttles import ReadRateThrottle, WriteRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def films():
    return [
        make_movie("Fight Club", date(1999, 9, 15), watched=True),
        make_movie("The Matrix", date(1999, 3, 31)),
        make_movie("Amélie 🎬", date(2001, 4, 25), watched=True),
        make_movie("Matrix Reloaded", date(2003, 5, 15)),
        make_movie('Quote " and \\ slash', date(2010, 7, 16)),
    ]


JSON = "application/json"


def answered_early(response):
    """DRF's views leave themselves in the answer's renderer context; early answers don't."""
    return "view" not in getattr(response, "renderer_context", {})


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?is_watched=true",
        "?is_watched=0&search=MATRIX",
        "?search=%C3%A9",
        "?search=%25",
        "?search=_",
        "?ordering=-release_date",
        "?ordering=title,-id",
        "?ordering=-watched_at",
        "?ordering=watched_at&page_size=2",
        "?page=2&page_size=2",
        "?page=3&page_size=2&ordering=title",
        "?is_watched=&search=&ordering=",
        "?unrelated=1",
        "?ordering=title,title",
        "?search=%20matrix%20",
    ],
)
def test_list_matches_the_viewset(anon_client, token_client, films, query):
    early = anon_client.get(f"/api/{query}")
    viewset = token_client.get(f"/api/{query}")

    assert answered_early(early)
    assert not answered_early(viewset)
    assert early.status_code == viewset.status_code == HTTPStatus.OK
    assert early.content == viewset.content
    assert early.get("Link") == viewset.get("Link")
    assert early["Content-Type"] == viewset["Content-Type"]


def test_detail_matches_the_viewset(anon_client, token_client, films):
    for film in films:
        early = anon_client.get(reverse("movie-detail", args=[film.id]))
        viewset = token_client.get(reverse("movie-detail", args=[film.id]))

        assert answered_early(early)
        assert early.content == viewset.content
        assert early.json()["id"] == film.id


def test_early_answers_carry_the_security_and_caching_headers(anon_client, films):
    response = anon_client.get(reverse("movie-list"))

    assert answered_early(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Vary"] == "Accept, Accept-Encoding, Accept-Language"
    assert response["Content-Language"] == "en"
    assert response["Cache-Control"] == "no-cache"
    assert response["ETag"].startswith('W/"')


@pytest.mark.parametrize(
    ("path", "headers", "status", "content_type"),
    [
        ("/api/", {"HTTP_ACCEPT": "text/html"}, HTTPStatus.OK, "text/html; charset=utf-8"),
        ("/api/?format=api", {}, HTTPStatus.OK, "text/html; charset=utf-8"),
        ("/api/?format=json", {}, HTTPStatus.OK, "application/json"),
        ("/api/", {"HTTP_ACCEPT": "application/xml"}, HTTPStatus.NOT_ACCEPTABLE, JSON),
        ("/api/", {"HTTP_ACCEPT": "application/json; indent=4"}, HTTPStatus.OK, JSON),
        ("/api/", {"HTTP_ACCEPT": "application/json;q=0.5"}, HTTPStatus.OK, JSON),
        ("/api/", {"HTTP_COOKIE": "sessionid=whatever"}, HTTPStatus.OK, JSON),
        ("/api/1/?format=api", {}, HTTPStatus.OK, "text/html; charset=utf-8"),
        ("/api/", {"HTTP_AUTHORIZATION": "Token bogus"}, HTTPStatus.UNAUTHORIZED, JSON),
    ],
)
def test_everything_else_goes_to_the_viewset(
    anon_client, films, path, headers, status, content_type
):
    response = anon_client.get(path.replace("/1/", f"/{films[0].id}/"), **headers)

    assert not answered_early(response)
    assert response.status_code == status
    assert response["Content-Type"] == content_type


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/api/?is_watched=maybe", HTTPStatus.BAD_REQUEST, "is_watched"),
        ("/api/?ordering=bogus", HTTPStatus.BAD_REQUEST, "ordering"),
        ("/api/?search=a%00b", HTTPStatus.BAD_REQUEST, "search"),
        ("/api/?page=0", HTTPStatus.BAD_REQUEST, "page"),
        ("/api/?page=99", HTTPStatus.NOT_FOUND, "detail"),
        ("/api/999999/", HTTPStatus.NOT_FOUND, "detail"),
    ],
)
def test_errors_are_answered_early_as_the_viewset_answers_them(
    anon_client, token_client, films, django_assert_max_num_queries, path, status, detail
):
    with django_assert_max_num_queries(1):  # not a second attempt through DRF
        early = anon_client.get(path)
    viewset = token_client.get(path)

    assert answered_early(early)
    assert early.status_code == viewset.status_code == status
    assert detail in early.json()
    assert early.content == viewset.content
    assert early["Content-Type"] == viewset["Content-Type"] == JSON
    assert early["Allow"] == viewset["Allow"]


def test_head_goes_to_the_viewset(anon_client, films):
    response = anon_client.head(reverse("movie-list"))

    assert not answered_early(response)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == JSON
    assert response.content == b""


@override_settings(ALLOWED_HOSTS=["watchlist.example.com"])
def test_an_unknown_host_is_refused_when_answered_early_too(anon_client, films):
    response = anon_client.get(reverse("movie-detail", args=[films[0].id]))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"Fight Club" not in response.content


def test_a_new_film_is_answered_early_at_once(anon_client, token_client, films):
    created = token_client.post(
        reverse("movie-list"), {"title": "Memento", "release_date": "2000-10-11"}, format="json"
    ).json()

    listed = anon_client.get(reverse("movie-list"), {"search": "memento"})

    assert answered_early(listed)
    assert listed.json() == [created]


def test_a_read_limit_sends_anonymous_reads_to_drf(anon_client, films, one_limit_window):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ReadRateThrottle, "THROTTLE_RATES", {"reads": "2/min"})
        answers = [anon_client.get(reverse("movie-list")) for _ in range(3)]

    assert not any(answered_early(response) for response in answers)
    assert [r.status_code for r in answers] == [200, 200, HTTPStatus.TOO_MANY_REQUESTS]
    assert int(answers[-1]["Retry-After"]) > 0


def test_a_view_closed_to_anonymous_clients_is_never_answered_early(anon_client, films):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MovieViewSet, "permission_classes", [IsAuthenticated])
        response = anon_client.get(reverse("movie-detail", args=[films[0].id]))

    assert not answered_early(response)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"detail": "Authentication credentials were not provided."}


class ListedAddressesOnly(BasePermission):
    """An address allow-list: what the client's address is decides, request by request."""

    listed = {"127.0.0.1"}  # the address the early answer once decided on, for every client

    def has_permission(self, request, view):
        return client_address(request) in self.listed


@pytest.fixture
def allow_list():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            MovieViewSet, "permission_classes", [IsAuthenticatedOrReadOnly, ListedAddressesOnly]
        )
        yield


@pytest.mark.parametrize("read", ["movie-list", "movie-detail"])
def test_an_address_allow_list_refuses_anonymous_reads_from_other_addresses(
    anon_client, films, allow_list, read
):
    url = reverse(read, args=[films[0].id] if read == "movie-detail" else [])

    refused = anon_client.get(url, REMOTE_ADDR="198.51.100.7")
    allowed = anon_client.get(url, REMOTE_ADDR="127.0.0.1")

    assert not answered_early(refused)
    assert refused.status_code == HTTPStatus.UNAUTHORIZED
    assert refused.json() == {"detail": "Authentication credentials were not provided."}
    assert not answered_early(allowed)  # DRF applies the allow-list to every request
    assert allowed.status_code == HTTPStatus.OK
    assert "Fight Club" in allowed.content.decode()


class QuietThrottle(BaseThrottle):
    """A throttle the early answer does not know, however little it does."""

    def allow_request(self, request, view):
        return True


class AllowAnyone(AllowAny):
    """A subclass of a known permission may decide otherwise: it is not known either."""


@pytest.mark.parametrize(
    ("attribute", "classes"),
    [
        ("throttle_classes", [QuietThrottle]),
        ("permission_classes", [AllowAnyone]),
    ],
)
def test_a_class_the_early_answer_does_not_know_sends_reads_to_drf(
    anon_client, films, attribute, classes
):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MovieViewSet, attribute, classes)
        response = anon_client.get(reverse("movie-list"))

    assert not answered_early(response)
    assert response.status_code == HTTPStatus.OK
    assert [film["title"] for film in response.json()] == [film.title for film in films]


def test_the_shipped_classes_let_anonymous_reads_be_answered_early(anon_client, films):
    assert MovieViewSet.permission_classes == [IsAuthenticatedOrReadOnly]
    assert set(MovieViewSet.throttle_classes) == {WriteRateThrottle, ReadRateThrottle}

    assert answered_early(anon_client.get(reverse("movie-list")))


@pytest.mark.parametrize(
    "language", [None, "es", "es-ES,es;q=0.9,en;q=0.8", "fr", "\x7f garbage;q=x,,"]
)
@pytest.mark.parametrize(
    "path", ["/api/", "/api/?page=9", "/api/?is_watched=maybe", "/api/FILM/", "/api/999999/"]
)
def test_early_answers_match_the_viewset_in_every_language(
    anon_client, token_client, films, language, path
):
    path = path.replace("FILM", str(films[0].id))
    headers = {} if language is None else {"HTTP_ACCEPT_LANGUAGE": language}

    early = anon_client.get(path, **headers)
    viewset = token_client.get(path, **headers)

    assert answered_early(early)
    assert not answered_early(viewset)
    assert early.status_code == viewset.status_code
    assert early.content == viewset.content
    early_headers = {name.lower(): value for name, value in early.items()}
    viewset_headers = {name.lower(): value for name, value in viewset.items()}
    for headers in (early_headers, viewset_headers):
        del headers["x-request-id"]  # new for each request
    assert early_headers == viewset_headers
    spanish = language is not None and language.startswith("es")
    assert early["Content-Language"] == ("es" if spanish else "en")
