from datetime import date
from http import HTTPStatus

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from movies.models import Movie
from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:movies_movie_changelist")


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def listed(response):
    return [str(movie) for movie in response.context["cl"].result_list]


def test_changelist_shows_the_columns(admin_client):
    make_movie("Inception", date(2010, 7, 16), watched=True)

    response = admin_client.get(CHANGELIST)

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    for column in ["Title", "Release year", "Release date", "Watched", "Watched on", "Rating"]:
        assert column in content
    assert "Inception" in content


def test_changelist_takes_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    for n in range(30):
        make_movie(f"Film {n}", date(1990 + n % 5, 1, 1))

    with django_assert_max_num_queries(12):
        admin_client.get(CHANGELIST)


def test_search_finds_by_title(admin_client):
    make_movie("The Matrix")
    make_movie("Inception")

    response = admin_client.get(CHANGELIST, {"q": "matrix"})

    assert listed(response) == ["The Matrix (2000)"]


def test_search_means_what_the_api_search_means(admin_client):
    make_movie("ÉMILE")
    make_movie("Emile")
    make_movie("Émilie")
    make_movie("Emil")

    response = admin_client.get(CHANGELIST, {"q": " emile "})

    assert listed(response) == ["ÉMILE (2000)", "Emile (2000)"]


@pytest.mark.parametrize(("sort", "in_order"), [("1", [1, 2, 0]), ("-1", [0, 2, 1])])
def test_the_title_column_sorts_whatever_the_case_and_accents(admin_client, sort, in_order):
    titles = ["Zodiac", "amores perros", "Élite"]
    for title in titles:
        make_movie(title)

    response = admin_client.get(CHANGELIST, {"o": sort})

    assert response.status_code == HTTPStatus.OK
    assert listed(response) == [f"{titles[n]} (2000)" for n in in_order]


def test_an_action_on_all_search_results_changes_only_those(admin_client):
    make_movie("Drop Zone")
    make_movie("Keep")

    response = admin_client.post(
        f"{CHANGELIST}?q=drop",
        {"action": "mark_watched", "select_across": "1", ACTION_CHECKBOX_NAME: ["0"]},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert dict(Movie.objects.values_list("title", "is_watched")) == {
        "Drop Zone": True,
        "Keep": False,
    }


def test_filter_by_watched(admin_client):
    make_movie("Seen", watched=True)
    make_movie("Unseen")

    response = admin_client.get(CHANGELIST, {"is_watched__exact": "1"})

    assert listed(response) == ["Seen (2000)"]


def test_filter_by_release_year(admin_client):
    make_movie("Old", date(1999, 9, 15))
    make_movie("New", date(2010, 7, 16))

    response = admin_client.get(CHANGELIST, {"release_year": "1999"})

    assert listed(response) == ["Old (1999)"]
    content = response.content.decode()
    assert "release year" in content
    assert "?release_year=2010" in content


def test_the_year_filter_finds_films_known_only_by_their_year(admin_client):
    make_movie("Old", date(1999, 9, 15))
    make_movie("New", date(2010, 7, 16))
    make_movie("New, undated", release_date=None, release_year=2010)

    response = admin_client.get(CHANGELIST, {"release_year": "2010"})

    assert listed(response) == ["New (2010)", "New, undated (2010)"]


def run_action(client, action, movies):
    return client.post(
        CHANGELIST,
        {"action": action, ACTION_CHECKBOX_NAME: [movie.pk for movie in movies]},
        follow=True,
    )


def test_mark_watched_action_sets_watched_at(admin_client):
    chosen, already, untouched = make_movie("A"), make_movie("B", watched=True), make_movie("C")
    first_watch = already.watched_at

    response = run_action(admin_client, "mark_watched", [chosen, already])

    assert "1 film marked watched." in response.content.decode()
    chosen.refresh_from_db()
    already.refresh_from_db()
    untouched.refresh_from_db()
    assert chosen.is_watched
    assert chosen.watched_at is not None
    assert already.watched_at == first_watch
    assert not untouched.is_watched


def test_mark_unwatched_action_clears_watched_at(admin_client):
    seen = make_movie("A", watched=True)

    response = run_action(admin_client, "mark_unwatched", [seen])

    assert "1 film marked unwatched." in response.content.decode()
    seen.refresh_from_db()
    assert (seen.is_watched, seen.watched_at) == (False, None)


def test_add_form_creates_a_trimmed_film(admin_client):
    response = admin_client.post(
        reverse("admin:movies_movie_add"),
        {"title": "  Memento ", "release_date": "2000-10-11"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert list(Movie.objects.values_list("title", "is_watched")) == [("Memento", False)]


def test_non_staff_user_cannot_open_the_admin(client, user):
    client.force_login(user)
    make_movie("Secret")

    response = client.get(CHANGELIST)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_login_page_loads_its_stylesheet(client):
    page = client.get(reverse("admin:login"))
    stylesheet = client.get("/static/admin/css/base.css")

    assert page.status_code == HTTPStatus.OK
    assert 'href="/static/admin/css/base.css"' in page.content.decode()
    assert stylesheet.status_code == HTTPStatus.OK
    assert b"body" in b"".join(stylesheet.streaming_content)


def test_the_admin_is_headed_with_the_site_name(admin_client):
    response = admin_client.get(reverse("admin:index"))

    content = response.content.decode()
    assert '<a href="/admin/">Watchlist administration</a>' in content
    assert "<title>Films and users | Watchlist admin</title>" in content
    assert "Django administration" not in content
