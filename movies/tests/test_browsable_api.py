"""The browsable API in a browser: HTML pages with forms for signed-in users."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from movies.models import Movie
from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html"}


def test_list_page_offers_the_create_form_to_a_signed_in_user(session_client):
    make_movie("Inception")

    response = session_client.get(reverse("movie-list"), **HTML)

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "Inception" in content
    assert 'name="title"' in content
    assert 'name="release_date"' in content
    assert "csrfmiddlewaretoken" in content


def test_list_page_shows_no_create_form_to_anonymous_visitors(anon_client):
    make_movie("Inception")

    response = anon_client.get(reverse("movie-list"), **HTML)

    content = response.content.decode()
    assert "Inception" in content
    assert 'name="title"' not in content
    assert "Log in" in content


def test_html_form_post_creates_a_film(session_client):
    session_client.get(reverse("movie-list"), **HTML)
    token = session_client.cookies["csrftoken"].value

    response = session_client.post(
        reverse("movie-list"),
        {"title": "Memento", "release_date": "2000-10-11", "csrfmiddlewaretoken": token},
        **HTML,
    )

    assert response.status_code == HTTPStatus.CREATED
    assert Movie.objects.get().title == "Memento"


def test_detail_page_links_the_watch_actions(session_client):
    movie = make_movie("Inception")

    response = session_client.get(reverse("movie-detail", args=[movie.id]), **HTML)

    content = response.content.decode()
    assert "Extra Actions" in content
    assert reverse("movie-watch", args=[movie.id]) in content
    assert reverse("movie-unwatch", args=[movie.id]) in content


def test_watch_action_page_offers_a_post_button(session_client):
    movie = make_movie("Inception")

    response = session_client.get(reverse("movie-watch", args=[movie.id]), **HTML)

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert 'method="POST"' in response.content.decode()
    assert not Movie.objects.get().is_watched


def test_login_page_signs_a_user_in(client, user):
    login = reverse("rest_framework:login")

    response = client.post(
        login, {"username": "viewer", "password": "a-long-test-password", "next": "/api/"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/api/"
    assert client.get("/api/", **HTML).context["user"] == user
