"""Both ways into the film reads answer alike: random films, random requests.

Anonymous JSON reads are answered early (movies.early_reads); the same requests with a
token go through the whole DRF stack. For any films and any list or detail request, valid
or not, plain or gzipped, conditional or not, in any language asked for or none, both must
give the same status, the same headers a client reads and the same bytes (gzipped bodies
once decompressed: each carries random bytes against compression side channels).
"""

import datetime
import gzip
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from movies.models import Movie
from watchlist.http import GZipMiddleware

pytestmark = pytest.mark.django_db

# Every header is compared but the request id, new for each request. (A gzipped body's
# length and, for short bodies, whether it is gzipped at all depend on its random bytes.)
UNCOMPARED = {"x-request-id"}
GZIP_DEPENDENT = {"content-encoding", "content-length"}
PLAIN_JSON = {None, "*/*", "application/json", "application/*", "application/json, */*"}
ACCEPT = st.sampled_from(
    [
        *PLAIN_JSON,
        "application/json; indent=4",
        "application/json;q=0.9",
        "application/json; indent=0",
        "application/JSON",
        "application/xml",
        "",
    ]
)
ACCEPT_ENCODING = st.sampled_from([None, "gzip", "gzip, deflate, br", "identity", "br"])
# No language, the site's other one (plainly, or as a browser asks), one it lacks, nonsense.
ACCEPT_LANGUAGE = st.sampled_from(
    [None, "es", "es-ES,es;q=0.9,en;q=0.8", "fr", "fr-CA, en;q=0.1", "en", "*", "x;;q=é,,", ""]
)
# If-None-Match: none, the current answer's ETag, another one, or any ("*").
CONDITION = st.sampled_from([None, "current", 'W/"0123456789abcdef"', "*"])

# Titles made of what trips up encoders and search patterns: quotes, backslashes, LIKE's
# % and _, GLOB's * ? [ ], the JavaScript line separators, case pairs that fold unevenly,
# letters with and without accents (which search and ordering by title ignore), padding
# and inner spaces.
TRICKY = ["%", "_", "\\", '"', "'", "*", "?", "[", "]", "\u2028", "\u2029", "ß", "SS", "İ", "i"]
TRICKY += ["É", "é", "Σ", "ς", "\u212a", " ", "\t"]
TRICKY += ["e", "E\u0301", "\u0301", "Ø", "o", "ł", "l", "æ", "ガ", "カ"]
# What an HTTP request can carry and a database can store: no NUL (the API refuses it, and
# PostgreSQL cannot hold it), no lone surrogate (UTF-8 cannot encode one).
STORABLE = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
TITLE_TEXT = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.text(STORABLE, min_size=1, max_size=3)),
    min_size=1,
    max_size=6,
).map("".join)
FILM = st.fixed_dictionaries(
    {
        "title": TITLE_TEXT,
        "release_date": st.dates(datetime.date(1890, 1, 1), datetime.date(2030, 12, 31)),
        "watched_at": st.one_of(
            st.none(),
            st.datetimes(
                datetime.datetime(2000, 1, 1), datetime.datetime(2030, 1, 1), allow_imaginary=False
            ),
        ),
    }
)

ORDER_FIELD = st.sampled_from(["id", "title", "release_date", "watched_at", "bogus", ""])
ORDERING = st.lists(
    st.tuples(st.sampled_from(["", "-"]), ORDER_FIELD).map("".join), min_size=1, max_size=3
).map(",".join)
NUMBER = st.one_of(
    st.integers(1, 4).map(str),
    st.sampled_from(["", "0", "-1", "x", "1.5", "1001", "99999999999999999999", "٣"]),
)
LIST_PARAMETERS = st.lists(
    st.tuples(
        st.sampled_from(["is_watched", "search", "ordering", "page", "page_size", "other"]),
        st.one_of(
            st.sampled_from(["true", "FALSE", "1", "0", "", "maybe", "yes"]),
            TITLE_TEXT,
            ORDERING,
            NUMBER,
        ),
    ),
    max_size=5,
)


def stored(film):
    """A film as the API stores it: a trimmed, non-blank title without NUL (PostgreSQL
    refuses it too), watched_at in UTC."""
    title = film["title"].replace("\x00", "").strip() or "untitled"
    watched_at = film["watched_at"] and film["watched_at"].replace(tzinfo=datetime.UTC)
    return Movie(
        title=title,
        release_date=film["release_date"],
        is_watched=watched_at is not None,
        watched_at=watched_at,
    )


# The method, and what else a request may carry: another allowed host, a refused one, a
# proxy's headers.
EXTRA = st.tuples(
    st.sampled_from(["get", "get", "get", "head"]),
    st.sampled_from(
        [
            None,
            ("HTTP_HOST", "localhost"),
            ("HTTP_HOST", "evil.example"),
            ("HTTP_X_FORWARDED_FOR", "203.0.113.9, 198.51.100.7"),
            ("HTTP_X_FORWARDED_PROTO", "https"),
        ]
    ),
).map(lambda pair: (pair[0],) if pair[1] is None else pair)


def headers_of(response):
    return {name.lower(): value for name, value in response.items()}


def answered_by_drf(response):
    """DRF's views leave themselves in the answer's renderer context; early answers don't."""
    return "view" in getattr(response, "renderer_context", {})


def answer_both_ways(
    anon_client, token_client, path, accept, encoding, condition, extra, language=None
):
    method, *extra_headers = extra
    headers = dict(extra_headers)
    if accept is not None:
        headers["HTTP_ACCEPT"] = accept
    if encoding is not None:
        headers["HTTP_ACCEPT_ENCODING"] = encoding
    if language is not None:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    if condition == "current":
        current = anon_client.get(path, **headers).get("ETag")
        if current:
            headers["HTTP_IF_NONE_MATCH"] = current
    elif condition is not None:
        headers["HTTP_IF_NONE_MATCH"] = condition
    early = getattr(anon_client, method)(path, **headers)
    drf = getattr(token_client, method)(path, **headers)
    assert answered_by_drf(drf) or drf.status_code in (304, 400), "the token took the stack"
    assert early.status_code == drf.status_code, path
    early_headers, drf_headers = headers_of(early), headers_of(drf)
    gzipped = "gzip" in (early.get("Content-Encoding"), drf.get("Content-Encoding"))
    if early.get("Content-Encoding") != drf.get("Content-Encoding"):
        assert gzip_may_not_be_shorter(body(early)), path
    for name in (early_headers.keys() | drf_headers.keys()) - UNCOMPARED:
        if not (gzipped and name in GZIP_DEPENDENT):
            assert early_headers.get(name) == drf_headers.get(name), (name, path)
    assert body(early) == body(drf), path
    event(f"{'DRF' if answered_by_drf(early) else 'early'} {early.status_code}")
    event(f"Content-Encoding: {early.get('Content-Encoding')}")
    event(f"Content-Language: {early.get('Content-Language')}")
    return early


def gzip_may_not_be_shorter(content):
    """Whether gzip, with up to GZipMiddleware.max_random_bytes in its header (against
    compression side channels), can come out no shorter than `content`: Django then sends
    the answer plain, so for such short answers either encoding may come, at random."""
    return len(gzip.compress(content, mtime=0)) + GZipMiddleware.max_random_bytes + 1 >= len(
        content
    )


def body(response):
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content)
    return response.content


@settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    films=st.lists(FILM, max_size=8),
    parameters=LIST_PARAMETERS,
    accept=ACCEPT,
    encoding=ACCEPT_ENCODING,
    condition=CONDITION,
    detail_pick=st.integers(0, 10),
    extra=EXTRA,
    language=ACCEPT_LANGUAGE,
)
def test_list_and_detail_answer_the_same_with_or_without_a_token(
    anon_client,
    token_client,
    films,
    parameters,
    accept,
    encoding,
    condition,
    detail_pick,
    extra,
    language,
):
    with transaction.atomic():
        created = Movie.objects.bulk_create(stored(film) for film in films)
        ids = [movie.id for movie in Movie.objects.order_by("id")]

        ways = (anon_client, token_client)
        list_url = f"{reverse('movie-list')}?{urlencode(parameters)}"
        asked = (accept, encoding, condition, extra, language)
        listed = answer_both_ways(*ways, list_url, *asked)
        if listed.status_code == 200 and accept in PLAIN_JSON and extra[0] == "get":
            assert not answered_by_drf(listed), "a plain anonymous read went to DRF"

        pk = ids[detail_pick] if detail_pick < len(ids) else detail_pick + 10**6
        detail_url = reverse("movie-detail", args=[pk])
        answer_both_ways(*ways, detail_url, *asked)
        transaction.set_rollback(True)
    assert len(created) == len(films)
