from http import HTTPStatus

import pytest
from django.db import OperationalError
from django.urls import path

from watchlist.urls import urlpatterns as project_urls


def crash(request):
    raise RuntimeError("boom")


def database_down(request):
    raise OperationalError("connection refused")


urlpatterns = [
    path("api/crash/", crash),
    path("crash/", crash),
    path("api/database-down/", database_down),
    path("database-down/", database_down),
    *project_urls,
]
handler404 = "watchlist.views.not_found"
handler500 = "watchlist.views.server_error"


def test_unknown_url_under_api_is_a_json_404(client):
    response = client.get("/api/no/such/thing/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unknown_url_elsewhere_is_the_html_404(client):
    response = client.get("/no/such/page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.urls(__name__)
def test_crash_under_api_is_a_json_500_logged_with_its_traceback(client, caplog):
    client.raise_request_exception = False

    response = client.get("/api/crash/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.json() == {"detail": "Internal server error."}
    assert "boom" not in response.content.decode()
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info[1].args == ("boom",)


@pytest.mark.urls(__name__)
def test_crash_elsewhere_is_the_html_500(client):
    client.raise_request_exception = False

    response = client.get("/crash/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response["Content-Type"].startswith("text/html")
    assert "boom" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/", {"HTTP_HOST": "evil.example"}),
        ("/api/1/", {"HTTP_HOST": "evil.example"}),
        ("/api/?" + "&".join(["a=1"] * 1200), {}),
    ],
    ids=["unknown host, list", "unknown host, film", "too many parameters"],
)
def test_a_request_django_refuses_under_api_is_a_json_400(client, path, headers):
    response = client.get(path, **headers)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Bad request."}
    assert b"evil.example" not in response.content


def test_a_request_django_refuses_elsewhere_is_the_html_400(client):
    response = client.get("/admin/login/", HTTP_HOST="evil.example")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/api/database-down/", "application/json", b'{"detail":'),
        ("/database-down/", "text/plain", b"The database is unavailable"),
    ],
)
def test_a_database_outage_outside_drf_is_a_503_to_retry(client, path, content_type, body):
    response = client.get(path)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith(content_type)
    assert body in response.content
