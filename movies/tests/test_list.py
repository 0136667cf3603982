from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from movies.models import Movie
from movies.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db

LIST = reverse("movie-list")


def titles(response):
    return [movie["title"] for movie in response.json()]


def links(response):
    """The Link header as {rel: url}."""
    found = {}
    for part in response.get("Link", "").split(","):
        if part.strip():
            url, rel = part.split(";")
            found[rel.strip().removeprefix('rel="').removesuffix('"')] = url.strip()[1:-1]
    return found


def make_many(count):
    Movie.objects.bulk_create(
        Movie(title=f"Film {n:05}", release_date=date(2000, 1, 1)) for n in range(count)
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", ["Seen"]),
        ("false", ["Unseen"]),
        ("1", ["Seen"]),
        ("0", ["Unseen"]),
        ("True", ["Seen"]),
        ("", ["Seen", "Unseen"]),
    ],
)
def test_list_filters_by_is_watched(anon_client, value, expected):
    make_movie("Seen", watched=True)
    make_movie("Unseen")

    response = anon_client.get(LIST, {"is_watched": value})

    assert response.status_code == HTTPStatus.OK
    assert titles(response) == expected


def test_unknown_is_watched_value_is_a_400(anon_client):
    make_movie("Seen", watched=True)

    response = anon_client.get(LIST, {"is_watched": "maybe"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"is_watched": ["Enter true or false (or 1 or 0)."]}


def test_search_matches_titles_case_insensitively(anon_client):
    make_movie("The Matrix")
    make_movie("The Matrix Reloaded")
    make_movie("Inception")

    response = anon_client.get(LIST, {"search": "MATRIX"})

    assert titles(response) == ["The Matrix", "The Matrix Reloaded"]


def test_search_and_filter_combine(anon_client):
    make_movie("The Matrix", watched=True)
    make_movie("The Matrix Reloaded")

    response = anon_client.get(LIST, {"search": "matrix", "is_watched": "false"})

    assert titles(response) == ["The Matrix Reloaded"]


def test_list_defaults_to_id_order(anon_client):
    for title in ["b", "c", "a"]:
        make_movie(title)

    assert titles(anon_client.get(LIST)) == ["b", "c", "a"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("title", ["Alien", "Brazil", "Casablanca"]),
        ("-title", ["Casablanca", "Brazil", "Alien"]),
        ("release_date", ["Casablanca", "Alien", "Brazil"]),
        ("-release_date", ["Brazil", "Alien", "Casablanca"]),
        ("-id", ["Casablanca", "Alien", "Brazil"]),
    ],
)
def test_list_orders_by_the_given_field(anon_client, ordering, expected):
    make_movie("Brazil", date(1985, 2, 20))
    make_movie("Alien", date(1979, 5, 25))
    make_movie("Casablanca", date(1942, 11, 26))

    assert titles(anon_client.get(LIST, {"ordering": ordering})) == expected


@pytest.mark.parametrize("descending", [False, True])
def test_title_ordering_ignores_case_and_accents(anon_client, descending):
    in_order = ["Amelie", "Amélie", "amelie", "amores perros", "ÉLITE", "Élite", "Zodiac"]
    for title in ["Zodiac", "amores perros", "ÉLITE", "amelie", "Élite", "Amélie", "Amelie"]:
        make_movie(title)

    response = anon_client.get(LIST, {"ordering": "-title" if descending else "title"})

    assert response.status_code == HTTPStatus.OK
    assert titles(response) == (in_order[::-1] if descending else in_order)


def test_watched_at_ordering_puts_unwatched_films_last_both_ways(anon_client):
    early = make_movie("Early", watched=True)
    late = make_movie("Late", watched=True)
    make_movie("Never")
    Movie.objects.filter(pk=early.pk).update(watched_at=timezone.now() - timedelta(days=1))
    Movie.objects.filter(pk=late.pk).update(watched_at=timezone.now())

    assert titles(anon_client.get(LIST, {"ordering": "watched_at"})) == ["Early", "Late", "Never"]
    assert titles(anon_client.get(LIST, {"ordering": "-watched_at"})) == ["Late", "Early", "Never"]


def test_ties_are_broken_by_id_so_pages_are_stable(anon_client):
    same_day = date(1999, 1, 1)
    films = [make_movie(f"Film {n}", same_day) for n in range(5)]

    first = anon_client.get(LIST, {"ordering": "release_date", "page_size": 3})
    second = anon_client.get(links(first)["next"])

    ids = [m["id"] for m in first.json() + second.json()]
    assert ids == [film.id for film in films]


def test_several_orderings_combine(anon_client):
    make_movie("B", date(2000, 1, 1))
    make_movie("A", date(2000, 1, 1))
    make_movie("C", date(1990, 1, 1))

    assert titles(anon_client.get(LIST, {"ordering": "-release_date,title"})) == ["A", "B", "C"]


@pytest.mark.parametrize(
    "query",
    [
        "ordering=-release_date&ordering=title",  # an array, as generated clients send it
        "ordering=-release_date&ordering=title&ordering=",
        "ordering=-release_date,title&ordering=id",
    ],
)
def test_a_repeated_ordering_sorts_by_each_in_turn(anon_client, token_client, query):
    make_movie("B", date(2000, 1, 1))
    make_movie("A", date(2000, 1, 1))
    make_movie("C", date(1990, 1, 1))

    anonymous = anon_client.get(f"{LIST}?{query}")
    with_token = token_client.get(f"{LIST}?{query}")

    assert titles(anonymous) == titles(with_token) == ["A", "B", "C"]


def test_the_next_page_keeps_a_repeated_ordering(anon_client):
    make_movie("B", date(2000, 1, 1))
    make_movie("A", date(2000, 1, 1))

    response = anon_client.get(f"{LIST}?ordering=-release_date&ordering=title&page_size=1")

    assert titles(response) == ["A"]
    next_url = response["Link"].split(">", 1)[0].lstrip("<")
    assert titles(anon_client.get(next_url)) == ["B"]


def test_a_repeated_ordering_with_an_unknown_field_is_a_400(anon_client):
    make_movie("A")

    response = anon_client.get(f"{LIST}?ordering=title&ordering=bogus")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "bogus" in response.json()["ordering"][0]


@pytest.mark.parametrize("ordering", ["foo", "is_watched", "title,bogus", "--title"])
def test_unknown_ordering_is_a_400(anon_client, ordering):
    make_movie()

    response = anon_client.get(LIST, {"ordering": ordering})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "not one of the available choices" in response.json()["ordering"][0]


def test_first_page_has_the_default_size_and_a_next_link(anon_client):
    make_many(DEFAULT_PAGE_SIZE + 5)

    response = anon_client.get(LIST)

    assert len(response.json()) == DEFAULT_PAGE_SIZE
    assert links(response) == {"next": "http://testserver/api/?page=2"}


def test_last_page_has_a_prev_link_and_no_next(anon_client):
    make_many(DEFAULT_PAGE_SIZE + 5)

    response = anon_client.get(LIST, {"page": 2})

    assert titles(response) == [f"Film {n:05}" for n in range(100, 105)]
    assert links(response) == {"prev": "http://testserver/api/"}


def test_links_keep_the_other_query_parameters(anon_client):
    for n in range(5):
        make_movie(f"Match {n}")
    make_movie("Other")

    response = anon_client.get(LIST, {"search": "match", "page_size": 2, "page": 2})

    assert titles(response) == ["Match 2", "Match 3"]
    assert links(response) == {
        "next": "http://testserver/api/?page=3&page_size=2&search=match",
        "prev": "http://testserver/api/?page_size=2&search=match",
    }


def test_a_single_page_has_no_link_header(anon_client):
    make_movie()

    response = anon_client.get(LIST)

    assert "Link" not in response


def test_page_size_is_capped_at_the_maximum(anon_client):
    make_many(MAX_PAGE_SIZE + 1)

    response = anon_client.get(LIST, {"page_size": 10**6})

    assert len(response.json()) == MAX_PAGE_SIZE
    assert "next" in links(response)


def test_page_past_the_end_is_a_404(anon_client):
    make_movie()

    response = anon_client.get(LIST, {"page": 2})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Invalid page: past the last page."}


def test_empty_list_is_an_empty_array(anon_client):
    response = anon_client.get(LIST)

    assert response.status_code == HTTPStatus.OK
    assert response.json() == []


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page", "1.5"),
        ("page_size", "0"),
        ("page_size", "x"),
        ("page", "\u0663"),
    ],
)
def test_malformed_page_parameters_are_a_400(anon_client, param, value):
    make_movie()

    response = anon_client.get(LIST, {param: value})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {param: ["A positive integer is required."]}


@pytest.mark.parametrize("films", [4, 1500])
def test_list_page_takes_one_query_whatever_the_table_size(
    anon_client, django_assert_num_queries, films
):
    make_many(films)

    with django_assert_num_queries(1):
        response = anon_client.get(LIST, {"search": "film", "ordering": "-title"})

    assert len(response.json()) == min(films, DEFAULT_PAGE_SIZE)


@pytest.mark.parametrize("param", ["search", "ordering", "is_watched"])
def test_nul_byte_in_a_query_parameter_is_a_400(anon_client, param):
    make_movie()

    response = anon_client.get(LIST, {param: "a\x00b"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()[param]


@pytest.mark.parametrize("page", ["111933579595045666816", str(2**63 // 100)])
def test_a_page_beyond_any_possible_row_is_a_404(anon_client, page):
    make_movie()

    response = anon_client.get(LIST, {"page": page})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Invalid page: past the last page."}


def test_an_ordering_of_only_commas_keeps_the_default_order(anon_client):
    first, second = make_movie("b"), make_movie("a")

    response = anon_client.get(LIST, {"ordering": ","})

    assert response.status_code == HTTPStatus.OK
    assert [m["id"] for m in response.json()] == [first.id, second.id]


def test_numbers_of_thousands_of_digits_are_read_as_past_any_page(anon_client):
    make_many(3)
    many_digits = "9" * 5000

    capped = anon_client.get(LIST, {"page_size": many_digits})
    past_the_end = anon_client.get(LIST, {"page": many_digits})

    assert capped.status_code == HTTPStatus.OK
    assert len(capped.json()) == 3
    assert past_the_end.status_code == HTTPStatus.NOT_FOUND
    assert past_the_end.json() == {"detail": "Invalid page: past the last page."}


def test_leading_zeros_in_a_page_number_are_only_zeros(anon_client):
    make_many(3)

    second = anon_client.get(LIST, {"page": "0002", "page_size": "01"})
    zero = anon_client.get(LIST, {"page": "000"})

    assert [m["title"] for m in second.json()] == ["Film 00001"]
    assert zero.status_code == HTTPStatus.BAD_REQUEST
    assert zero.json() == {"page": ["A positive integer is required."]}
