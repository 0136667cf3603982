from http import HTTPStatus

import pytest
from django.urls import path

from watchlist.urls import urlpatterns as project_urls


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/crash/", crash), path("crash/", crash), *project_urls]
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
