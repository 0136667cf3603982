"""CORS for browser front-ends on other origins: off unless origins are configured, then
preflights answered and the API's answers shared with exactly those origins."""

from http import HTTPStatus

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db

CORS = "corsheaders.middleware.CorsMiddleware"
FRONT_END = "https://films.example.com"


@pytest.fixture
def cors(settings):
    """The settings DJANGO_CORS_ALLOWED_ORIGINS=https://films.example.com makes."""
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]
    settings.MIDDLEWARE = [settings.MIDDLEWARE[0], CORS, *settings.MIDDLEWARE[1:]]
    return settings


def preflight(client, path, method="POST", origin=FRONT_END):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_cors_is_off_by_default(anon_client):
    make_movie("Inception")

    response = anon_client.get(reverse("movie-list"), HTTP_ORIGIN=FRONT_END)

    assert CORS not in django_settings.MIDDLEWARE
    assert response.status_code == HTTPStatus.OK
    assert "Access-Control-Allow-Origin" not in response
    assert "Origin" not in response["Vary"]


def test_a_preflight_from_an_allowed_origin_is_answered(cors, anon_client):
    response = preflight(anon_client, reverse("movie-list"))

    assert response.status_code == HTTPStatus.OK
    assert response.content == b""
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert {"authorization", "content-type"} <= set(
        response["Access-Control-Allow-Headers"].split(", ")
    )
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("client_name", ["anon_client", "token_client"])
def test_reads_are_shared_with_an_allowed_origin(request, cors, client_name):
    client = request.getfixturevalue(client_name)
    make_movie("Inception")

    response = client.get(reverse("movie-list"), HTTP_ORIGIN=FRONT_END)

    assert response.status_code == HTTPStatus.OK
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    exposed = response["Access-Control-Expose-Headers"].split(", ")
    assert {"Link", "Location", "ETag", "Retry-After"} <= set(exposed)
    assert response["Vary"] == "Accept, Accept-Encoding, Accept-Language, origin"
    assert response.json()[0]["title"] == "Inception"


def test_a_write_from_an_allowed_origin_is_shared_with_its_location(cors, token_client):
    response = token_client.post(
        reverse("movie-list"),
        {"title": "Memento", "release_date": "2000-10-11"},
        format="json",
        HTTP_ORIGIN=FRONT_END,
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    assert "Location" in response["Access-Control-Expose-Headers"]


def test_another_origin_gets_no_cors_headers(cors, anon_client):
    make_movie("Inception")

    read = anon_client.get(reverse("movie-list"), HTTP_ORIGIN="https://evil.example.com")
    asked = preflight(anon_client, reverse("movie-list"), origin="https://evil.example.com")

    assert "Access-Control-Allow-Origin" not in read
    assert "Access-Control-Allow-Origin" not in asked
    assert "Access-Control-Allow-Methods" not in asked


def test_credentials_are_allowed_only_when_configured(cors, anon_client):
    cors.CORS_ALLOW_CREDENTIALS = True

    response = preflight(anon_client, reverse("movie-list"))

    assert response["Access-Control-Allow-Origin"] == FRONT_END
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_the_admin_is_not_shared_with_other_origins(cors, client):
    response = client.get("/admin/login/", HTTP_ORIGIN=FRONT_END)

    assert response.status_code == HTTPStatus.OK
    assert "Access-Control-Allow-Origin" not in response
