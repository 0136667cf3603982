"""The project's LocaleMiddleware (watchlist.languages) chooses as Django's does.

Hypothesis sends random requests (Accept-Language headers well formed or not, language
cookies, other cookies, paths that look like language prefixes) through both, around views
that answer with or without a `Vary` of their own, and demands the same language while the
view runs, the same `request.LANGUAGE_CODE`, and the same `Vary` and `Content-Language`.
Each request is followed by one with no language at all, which must find the default
language again.
"""

from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.test import RequestFactory
from django.utils import translation
from hypothesis import given
from hypothesis import settings as settings_for_hypothesis
from hypothesis import strategies as st

from watchlist.languages import LocaleMiddleware

TAG = st.sampled_from(
    [
        *("es", "ES", "es-ES", "es-419", "es_ES", "en", "en-US", "en-GB", "fr", "fr-CA"),
        *("pt-BR", "de", "*", "x-klingon", "zh-Hant-TW", "i-default", "", "es-", "-es", "e"),
    ]
)
WEIGHT = st.sampled_from(["", ";q=1", ";q=0.9", ";q=0", ";q=0.001", ";q=x", ";Q=0.5", ";q=2"])
WELL_FORMED = st.lists(st.tuples(TAG, WEIGHT).map("".join), min_size=1, max_size=4).map(
    lambda items: ", ".join(items)
)
ACCEPT_LANGUAGE = st.one_of(
    st.none(), WELL_FORMED, st.text(max_size=30), st.just("es-ES,es;q=0.9,en;q=0.8")
)
COOKIE = st.one_of(
    st.none(),
    st.sampled_from(["es", "en", "fr", "es-ES", "ES", "", "x"]).map(
        lambda code: f"{settings.LANGUAGE_COOKIE_NAME}={code}"
    ),
    st.just("sessionid=abc; csrftoken=def"),
)
PATH = st.sampled_from(["/api/", "/api/1/", "/es/api/", "/en/", "/admin/", "/i18n/setlang/"])
VIEW_VARY = st.sampled_from([None, "Accept", "Accept, Accept-Encoding, Accept-Language", "*"])


def answer_through(middleware_class, path, headers, view_vary):
    seen = {}

    def view(request):
        seen["language"] = translation.get_language()
        response = HttpResponse(b"{}")
        if view_vary is not None:
            response["Vary"] = view_vary
        return response

    request = RequestFactory().get(path, **headers)
    response = middleware_class(view)(request)
    return (
        seen["language"],
        request.LANGUAGE_CODE,
        response.get("Vary"),
        response.get("Content-Language"),
    )


@settings_for_hypothesis(max_examples=500)
@given(language=ACCEPT_LANGUAGE, cookie=COOKIE, path=PATH, view_vary=VIEW_VARY)
def test_the_language_is_chosen_as_djangos_middleware_chooses_it(
    language, cookie, path, view_vary
):
    headers = {}
    if language is not None:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    if cookie is not None:
        headers["HTTP_COOKIE"] = cookie

    ours = answer_through(LocaleMiddleware, path, headers, view_vary)
    after = answer_through(LocaleMiddleware, path, {}, view_vary)
    django = answer_through(DjangoLocaleMiddleware, path, headers, view_vary)
    translation.deactivate()  # Django's leaves its language active after the request

    assert ours == django
    assert after[:2] == (settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)
