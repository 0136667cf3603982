"""The browsable API in a browser: HTML pages with forms for signed-in users."""

import html
import json
import re
from datetime import date
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


@pytest.mark.parametrize("next_page", ["", "https://elsewhere.example/"])
def test_signing_in_without_a_page_to_return_to_lands_on_the_films(client, user, next_page):
    response = client.post(
        reverse("rest_framework:login"),
        {"username": "viewer", "password": "a-long-test-password", "next": next_page},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("movie-list")
    assert client.get(response["Location"], **HTML).context["user"] == user


def description_of(response):
    """The page's description block, as rendered."""
    content = response.content.decode()
    match = re.search(r'<div class="pull-left">(.*?)</div>', content, re.DOTALL)
    assert match, "the page has no description"
    return match.group(1)


def test_pages_carry_the_site_name_not_the_framework(anon_client):
    response = anon_client.get(reverse("movie-list"), **HTML)

    content = response.content.decode()
    assert "<title>Films \u2013 Watchlist API</title>" in content  # an en dash, as DRF writes
    assert '<a class="navbar-brand" rel="nofollow" href="/">Watchlist API</a>' in content
    assert "Django REST framework" not in content


@pytest.mark.parametrize(
    ("path", "heading", "phrase"),
    [
        ("/", "Watchlist API", "where to go next"),
        ("/api/", "Films", "<code>POST /api/&lt;id&gt;/watch/</code> marks it watched"),
        ("/api/{id}/", "Film", "<em>Log in</em>"),
        ("/api/{id}/watch/", "Watch", "If it already is, answers 400"),
        ("/api/create/", "Add a film (the Flask app&#x27;s route)", "<code>POST /api/</code>"),
    ],
)
def test_descriptions_are_rendered_from_markdown_for_people(session_client, path, heading, phrase):
    url = path.format(id=make_movie("Inception").id)

    response = session_client.get(url, **HTML)

    description = description_of(response)
    assert f"<h1>{heading}</h1>" in response.content.decode()
    assert phrase in description
    assert "`" not in description  # Markdown code spans became <code>, not literal backticks
    assert "Flask app's `GET /` keys" not in description


def test_the_flask_watch_route_describes_itself_too(token_client):
    # Its page shows to a token client (a browser session's GET there is refused).
    url = reverse("movie-watch-legacy", args=[make_movie("Inception").id])

    response = token_client.get(url, **HTML)

    assert "<h1>Watch (the Flask app&#x27;s route)</h1>" in response.content.decode()
    assert "<code>GET</code> (with a token only)" in description_of(response)


def test_a_films_page_fills_the_edit_forms_with_the_film(session_client):
    movie = make_movie("Inception", date(2010, 7, 16))

    response = session_client.get(reverse("movie-detail", args=[movie.id]), **HTML)

    content = response.content.decode()
    put_form = content[content.index('id="put-object-form"') :]
    assert re.search(r'<input name="title"[^>]* value="Inception"', put_form)
    assert re.search(r'<input name="release_date"[^>]* value="2010-07-16"', put_form)
    raw = re.search(r'<textarea name="_content"[^>]*>(.*?)</textarea>', put_form, re.DOTALL)
    raw_data = json.loads(html.unescape(raw.group(1)))
    assert (raw_data["title"], raw_data["release_date"]) == ("Inception", "2010-07-16")
    assert json.loads(html.unescape(response_info(content))) == {
        "id": movie.id,
        "title": "Inception",
        "release_date": "2010-07-16",
        "release_year": 2010,
        "is_watched": False,
        "watched_at": None,
        "watched_on": None,
        "rating": None,
        "imdb_id": None,
        "tmdb_id": None,
        "letterboxd_uri": None,
    }


def response_info(content):
    """The JSON the page shows as the answer (after its headers)."""
    shown = re.search(r'<div class="response-info"[^>]*>.*?<pre[^>]*>(.*?)</pre>', content, re.S)
    text = re.sub(r"<[^>]+>", "", shown.group(1))
    return text[text.index("{") :]
