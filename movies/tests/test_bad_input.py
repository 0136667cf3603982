"""Hostile and malformed requests: each gets a clear 4xx JSON answer and changes nothing.

One table, one behaviour per row. The film with id FILM exists; every request is sent
with a valid token unless the row says otherwise.
"""

import json
from dataclasses import dataclass, field
from http import HTTPStatus

import pytest

from movies.models import Movie
from movies.tests.factories import make_movie, movie_rows

pytestmark = pytest.mark.django_db

FILM = 1
LONG = "x" * 8000


@dataclass
class Bad:
    name: str
    method: str
    path: str
    status: int
    message: str  # a fragment the JSON body must contain
    body: object = None
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)
    signed_in: bool = True

    def __str__(self):
        return self.name


def json_body(**fields):
    return json.dumps(fields)


VALID = {"title": "Inception", "release_date": "2010-07-16"}

TABLE = [
    Bad("malformed JSON", "post", "/api/", 400, "JSON parse error", '{"title": "Incep'),
    Bad(
        "wrong content type",
        "post",
        "/api/",
        415,
        "Unsupported media type",
        "<movie/>",
        "application/xml",
    ),
    Bad("empty body", "post", "/api/", 400, "This field is required.", ""),
    Bad("JSON null body", "post", "/api/create/", 400, "No data provided", "null"),
    Bad("JSON list body", "post", "/api/", 400, "Invalid data", "[1, 2]"),
    Bad(
        "missing title",
        "post",
        "/api/",
        400,
        "This field is required.",
        json_body(release_date="2010-07-16"),
    ),
    Bad(
        "missing release date, Flask route",
        "post",
        "/api/create/",
        400,
        "Please provide the title and release_date.",
        json_body(title="Inception"),
    ),
    Bad(
        "title of 129 characters",
        "post",
        "/api/",
        400,
        "no more than 128 characters",
        json_body(title="x" * 129, release_date="2010-07-16"),
    ),
    Bad(
        "blank title",
        "post",
        "/api/",
        400,
        "may not be blank",
        json_body(title="", release_date="2010-07-16"),
    ),
    Bad(
        "whitespace-only title",
        "post",
        "/api/",
        400,
        "may not be blank",
        json_body(title=" \t\n\u3000", release_date="2010-07-16"),
    ),
    Bad(
        "NUL in the title",
        "post",
        "/api/",
        400,
        "Null characters are not allowed.",
        json_body(title="In\x00ception", release_date="2010-07-16"),
    ),
    Bad(
        "NUL in a form body",
        "post",
        "/api/create/",
        400,
        "Null characters",
        "title=In%00ception&release_date=937353600",
        "application/x-www-form-urlencoded",
    ),
    Bad(
        "title that is a number",
        "post",
        "/api/",
        400,
        "Enter text, not a number.",
        json_body(title=0, release_date="2010-07-16"),
    ),
    Bad(
        "February 30th",
        "post",
        "/api/",
        400,
        "YYYY-MM-DD or a UNIX timestamp",
        json_body(title="Inception", release_date="1999-02-30"),
    ),
    Bad(
        "a word for a date",
        "post",
        "/api/",
        400,
        "YYYY-MM-DD or a UNIX timestamp",
        json_body(title="Inception", release_date="yesterday"),
    ),
    *(
        Bad(
            f"a date {why}",
            "post",
            "/api/",
            400,
            "YYYY-MM-DD or a UNIX timestamp",
            json_body(title="Inception", release_date=date),
        )
        for why, date in [
            ("without its zeros", "1999-9-15"),
            ("in fullwidth digits", "\uff11\uff19\uff19\uff19-09-15"),
            ("in Arabic-Indic digits", "\u0661\u0669\u0669\u0669"),
            ("as a fullwidth timestamp", "\uff11\uff12\uff13"),
        ]
    ),
    Bad(
        "huge timestamp",
        "post",
        "/api/",
        400,
        "between 0 and",
        json_body(title="Inception", release_date=10**15),
    ),
    Bad(
        "negative timestamp",
        "post",
        "/api/",
        400,
        "between 0 and",
        json_body(title="Inception", release_date=-86400),
    ),
    Bad(
        "infinite timestamp",
        "post",
        "/api/",
        400,
        "YYYY-MM-DD or a UNIX timestamp",
        '{"title": "Inception", "release_date": 1e999}',
    ),
    Bad(
        "NaN timestamp",
        "post",
        "/api/",
        400,
        "JSON parse error",
        '{"title": "Inception", "release_date": NaN}',
    ),
    Bad(
        "unknown ordering",
        "get",
        "/api/?ordering=popularity",
        400,
        "not one of the available choices",
    ),
    Bad("unknown is_watched value", "get", "/api/?is_watched=maybe", 400, "Enter true or false"),
    Bad("NUL in a query parameter", "get", "/api/?search=a%00b", 400, "Null characters"),
    Bad("page past the end", "get", "/api/?page=2", 404, "past the last page"),
    Bad(
        "page that is not a number",
        "get",
        "/api/?page=two",
        400,
        "A positive integer is required.",
    ),
    Bad("id that is not a number", "get", "/api/abc/", 404, "Not found."),
    Bad("id that overflows 64 bits", "get", "/api/99999999999999999999999/", 404, "Not found."),
    Bad(
        "watch of an id that overflows",
        "post",
        "/api/99999999999999999999999/watch/",
        404,
        "Not found",
    ),
    Bad("unsupported method", "post", f"/api/{FILM}/", 405, 'Method "POST" not allowed.'),
    Bad(
        "unsupported method on watch",
        "delete",
        f"/api/{FILM}/watch/",
        405,
        'Method "DELETE" not allowed.',
    ),
    Bad(
        "unsupported method without a token",
        "put",
        "/api/",
        405,
        'Method "PUT" not allowed.',
        json_body(**VALID),
        signed_in=False,
    ),
    Bad(
        "TRACE without a token",
        "trace",
        f"/api/{FILM}/",
        405,
        'Method "TRACE" not allowed.',
        signed_in=False,
    ),
    Bad("very long URL", "get", f"/api/{LONG}/", 404, "Not found."),
    Bad("very long id", "get", f"/api/{'9' * 5000}/", 404, "Not found."),
    Bad(
        "write without a token",
        "post",
        "/api/",
        401,
        "credentials were not provided",
        json_body(**VALID),
        signed_in=False,
    ),
    Bad(
        "write with a bad token",
        "delete",
        f"/api/{FILM}/",
        401,
        "Invalid token.",
        headers={"HTTP_AUTHORIZATION": "Token 0000"},
        signed_in=False,
    ),
    Bad(
        "oversized body",
        "post",
        "/api/",
        413,
        "Request body too large",
        json_body(title="x" * 70_000, release_date="2010-07-16"),
    ),
]


def messages(body):
    """Every string in a JSON answer."""
    if isinstance(body, str):
        yield body
    elif isinstance(body, dict):
        for value in body.values():
            yield from messages(value)
    elif isinstance(body, list):
        for value in body:
            yield from messages(value)


@pytest.fixture
def film():
    movie = make_movie("Fight Club")
    Movie.objects.filter(pk=movie.pk).update(id=FILM)


@pytest.mark.parametrize("bad", TABLE, ids=str)
def test_bad_request_gets_a_clear_json_answer_and_changes_nothing(
    token_client, anon_client, film, bad
):
    before = movie_rows()

    client = token_client if bad.signed_in else anon_client
    response = getattr(client, bad.method)(
        bad.path, bad.body, content_type=bad.content_type, **bad.headers
    )

    assert response.status_code == bad.status
    assert response["Content-Type"].startswith("application/json")
    assert any(bad.message in text for text in messages(response.json())), response.json()
    assert movie_rows() == before
    if bad.status == HTTPStatus.METHOD_NOT_ALLOWED:
        assert bad.method.upper() not in response["Allow"]


# Where each Python's JSON parser stops differs: 3.11 gives up at about a thousand levels,
# 3.12 follows a thousand and 3.13 five thousand. 32,000 levels (64 KB of brackets, the most
# a body may hold) is past all of them.
DEPTHS = {"a thousand levels": 1_000, "32,000 levels": 32_000}
JSON_ROUTES = {
    "a new film": ("/api/", True),
    "the Flask route": ("/api/create/", True),
    "the token endpoint": ("/api/auth/token/", False),
}


@pytest.mark.parametrize("depth", DEPTHS.values(), ids=DEPTHS.keys())
@pytest.mark.parametrize(("path", "signed_in"), JSON_ROUTES.values(), ids=JSON_ROUTES.keys())
def test_deeply_nested_json_gets_a_clear_400_on_any_python(
    token_client, anon_client, film, path, signed_in, depth
):
    """Nested deeper than the interpreter's parser follows, the body is refused as malformed
    JSON ("nested too deeply"); where the parser follows it, it is a list of lists, refused as
    the route refuses any list. Either way a 400 that says why, never a 500."""
    client = token_client if signed_in else anon_client
    as_any_list = client.post(path, "[[]]", content_type="application/json")
    before = movie_rows()

    response = client.post(path, "[" * depth + "]" * depth, content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    too_deep = any("nested too deeply" in text for text in messages(body))
    assert too_deep or body == as_any_list.json(), body
    assert as_any_list.status_code == HTTPStatus.BAD_REQUEST
    assert movie_rows() == before


def test_a_very_long_query_string_is_answered(anon_client, film):
    response = anon_client.get("/api/", {"search": LONG})

    assert response.status_code == HTTPStatus.OK
    assert response.json() == []


@pytest.mark.parametrize(
    "title", ["🎬 Amélie 🍿", "فيلم عربي", "סרט", "‏RTL mark‏ inside", "漢字と かな", "Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍algo"]
)
def test_unicode_titles_round_trip_exactly(token_client, title):
    created = token_client.post(
        "/api/", {"title": title, "release_date": "2001-04-25"}, format="json"
    )

    fetched = token_client.get(f"/api/{created.json()['id']}/")
    listed = token_client.get("/api/")

    assert created.status_code == HTTPStatus.CREATED
    assert fetched.json()["title"] == title
    assert listed.json()[0]["title"] == title
    assert Movie.objects.get().title == title
