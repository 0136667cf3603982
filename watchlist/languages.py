"""The language of each answer: Django's LocaleMiddleware, at a fraction of its cost.

Django's middleware looks for a language in the URL's path on every request (twice), which
this site never puts there, and patches `Vary` on every answer: together a fifth of the cost
of an anonymous read answered early. This one chooses the language with Django's own
`get_language_from_request` (the language cookie, then `Accept-Language`, then
LANGUAGE_CODE), and skips it for a request with neither header (or both empty), whose
language is LANGUAGE_CODE; answers whose view already names `Accept-Language` in
`Vary` (the films: `MovieViewSet.vary_also`) are not patched again. A property test
(watchlist/tests/test_languages.py) compares it with Django's on random requests.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.default = translation.get_supported_language_variant(settings.LANGUAGE_CODE)

    def __call__(self, request):
        meta = request.META
        if meta.get("HTTP_ACCEPT_LANGUAGE") or meta.get("HTTP_COOKIE"):
            language = translation.get_language_from_request(request)
        else:
            language = self.default
        if language == self.default:
            # The language of a thread that nothing activated (each activation below ends
            # with its request).
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        else:
            with translation.override(language, deactivate=True):
                language = request.LANGUAGE_CODE = translation.get_language()
                response = self.get_response(request)
        if "Accept-Language" not in response.get("Vary", ""):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response
