"""The ETag rules for answers that name a cache policy of their own."""

from http import HTTPStatus

import pytest
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import cache_control, never_cache

from watchlist.http import directive_names
from watchlist.urls import urlpatterns as project_urls


@cache_control(max_age=60)
def cached_for_a_minute(request):
    return HttpResponse("the same for a minute")


@never_cache
def never_stored(request):
    return HttpResponse("new every time")


urlpatterns = [
    path("minute/", cached_for_a_minute),
    path("never/", never_stored),
    *project_urls,
]


@pytest.mark.urls(__name__)
def test_an_answer_with_its_own_cache_policy_keeps_it_and_gets_an_etag(client):
    first = client.get("/minute/")

    again = client.get("/minute/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Cache-Control"] == "max-age=60"
    assert first["ETag"].startswith('W/"')
    assert again.status_code == HTTPStatus.NOT_MODIFIED


@pytest.mark.urls(__name__)
def test_an_answer_that_must_not_be_stored_gets_no_etag(client):
    response = client.get("/never/")

    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response


@pytest.mark.parametrize(
    ("header", "names"),
    [
        ("no-store", {"no-store"}),
        ("max-age=0, No-Store", {"max-age", "no-store"}),
        ('private="Set-Cookie" ,  no-cache', {"private", "no-cache"}),
        ("max-age=60", {"max-age"}),
    ],
)
def test_cache_control_directives_are_read_by_name(header, names):
    assert directive_names(header) == names
