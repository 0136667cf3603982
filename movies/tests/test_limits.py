"""Abuse limits: write and token throttles in the shared cache, and the body size cap."""

from http import HTTPStatus

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from movies.models import Movie
from movies.tests.factories import make_movie, movie_rows
from watchlist.throttles import TokenRateThrottle, WriteRateThrottle

pytestmark = pytest.mark.django_db

NEW_FILM = {"title": "Inception", "release_date": "2010-07-16"}


@pytest.fixture
def rates(monkeypatch, one_limit_window):
    """Set throttle rates for one test (DRF binds them to the classes at import)."""

    def set_rates(**rates):
        for throttle in (WriteRateThrottle, TokenRateThrottle):
            monkeypatch.setattr(throttle, "THROTTLE_RATES", {**throttle.THROTTLE_RATES, **rates})

    return set_rates


def test_writes_past_the_limit_get_429_with_retry_after(token_client, rates):
    rates(writes="3/min")
    for _ in range(3):
        assert token_client.post(reverse("movie-list"), NEW_FILM, format="json").status_code == 201

    response = token_client.post(reverse("movie-list"), NEW_FILM, format="json")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("Request was throttled.")
    assert Movie.objects.count() == 3


def test_reads_are_not_throttled_by_default(token_client, rates):
    rates(writes="1/min")
    movie = make_movie()

    statuses = {
        token_client.get(reverse("movie-detail", args=[movie.id])).status_code for _ in range(20)
    }

    assert statuses == {HTTPStatus.OK}


def test_token_endpoint_is_throttled_per_client_address(anon_client, user, rates):
    rates(token="2/min")
    wrong = {"username": "viewer", "password": "guess"}
    for _ in range(2):
        assert anon_client.post(reverse("api-token"), wrong).status_code == 400

    blocked = anon_client.post(reverse("api-token"), wrong)
    other_address = anon_client.post(reverse("api-token"), wrong, REMOTE_ADDR="192.0.2.7")

    assert blocked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Retry-After" in blocked
    assert other_address.status_code == HTTPStatus.BAD_REQUEST


def test_client_address_is_read_behind_the_configured_proxies(anon_client, user, rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rates(token="1/min")
    wrong = {"username": "viewer", "password": "guess"}

    first = anon_client.post(reverse("api-token"), wrong, HTTP_X_FORWARDED_FOR="198.51.100.1")
    same = anon_client.post(reverse("api-token"), wrong, HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = anon_client.post(reverse("api-token"), wrong, HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert first.status_code == HTTPStatus.BAD_REQUEST
    assert same.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert other.status_code == HTTPStatus.BAD_REQUEST


def test_oversized_body_is_a_413_and_changes_nothing(token_client, settings):
    make_movie()
    before = movie_rows()
    body = '{"title": "' + "x" * (70 * 1024) + '", "release_date": "2010-07-16"}'

    response = token_client.post(reverse("movie-list"), body, content_type="application/json")

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json() == {"detail": "Request body too large: at most 65536 bytes."}
    assert movie_rows() == before


def test_body_under_the_cap_is_read(token_client):
    response = token_client.post(reverse("movie-list"), NEW_FILM, format="json")

    assert response.status_code == HTTPStatus.CREATED
    assert Movie.objects.get().title == "Inception"


def test_a_malformed_content_length_is_a_400(token_client):
    response = token_client.post(
        reverse("movie-list"), "{}", content_type="application/json", CONTENT_LENGTH="12abc"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": "Invalid Content-Length header."}
    assert not Movie.objects.exists()


def test_writes_are_counted_in_redis_when_it_is_configured(
    token_client, rates, settings, local_redis_cache
):
    settings.CACHES = local_redis_cache
    rates(writes="2/min")

    statuses = [
        token_client.post(reverse("movie-list"), NEW_FILM, format="json").status_code
        for _ in range(3)
    ]

    prefix = local_redis_cache["default"]["KEY_PREFIX"]
    counters = caches["default"]._cache.get_client().keys(f"{prefix}:*rl:*")
    assert statuses == [HTTPStatus.CREATED, HTTPStatus.CREATED, HTTPStatus.TOO_MANY_REQUESTS]
    assert len(counters) == 1
    assert Movie.objects.count() == 2


def test_an_unreachable_limit_store_is_a_503_and_changes_nothing(token_client, settings):
    from watchlist.tests.live import free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }

    response = token_client.post(reverse("movie-list"), NEW_FILM, format="json")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"detail": "The rate-limit store is unavailable; try again shortly."}
    assert response["Retry-After"] == "5"
    assert not Movie.objects.exists()


@pytest.mark.skipif(
    not isinstance(caches["default"], DatabaseCache),
    reason="the PostgreSQL pass counts in the database cache (PostgreSQL without Redis)",
)
def test_hundreds_of_other_clients_do_not_reset_a_limited_clients_count(token_client, rates):
    """Django's database cache culls a third of its rows past MAX_ENTRIES (300 by default),
    live counters included: a limited client's count would start again."""
    rates(writes="3/day", token="5/day")  # windows that the test cannot outlast
    for _ in range(3):
        assert token_client.post(reverse("movie-list"), NEW_FILM, format="json").status_code == 201
    others = 450
    for n in range(others):
        response = APIClient().post(
            reverse("api-token"),
            {"username": f"guest{n}", "password": "guess"},
            REMOTE_ADDR=f"10.0.{n // 256}.{n % 256}",
        )
        assert response.status_code == HTTPStatus.BAD_REQUEST

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM watchlist_cache")
        (counters,) = cursor.fetchone()
    limited = token_client.post(reverse("movie-list"), NEW_FILM, format="json")

    assert counters == 1 + others
    assert limited.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert Movie.objects.count() == 3
