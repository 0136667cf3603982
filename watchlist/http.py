"""HTTP behaviour that every answer shares, early reads included: slash redirects that keep
the method, ETags and conditional requests, and compression (Django's GZipMiddleware).

Every URL ends with a slash (the Flask app's URLs did). Django's CommonMiddleware redirects a
URL without it with a 301, which clients (browsers, requests, httpie) follow with a GET: a
POST, PATCH or DELETE sent there was lost. A 308 is followed with the same method and body.

Every GET or HEAD answer names its content with an ETag, and a client that sends it back in
`If-None-Match` gets a 304 with no body. The ETag is set inside the gzip middleware, from the
content as the view wrote it, so it is the same whether the answer then goes out plain or
gzipped (weak, `W/"..."`, as RFC 9110 asks of a tag that several encodings share); the 304 is
answered outside it, from the final headers, so it carries the `Vary` and `ETag` that its
200 would have carried. The content is the state: a write that changes a film changes the
ETag of every answer that shows it, at once, with nothing to invalidate.
`Cache-Control: no-cache` lets clients and caches keep an answer but makes them ask again
(cheaply, with the ETag) before each use.
"""

from hashlib import blake2b

from django.http import HttpResponsePermanentRedirect
from django.middleware import common, gzip
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import escape_leading_slashes
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer

REVALIDATE = "no-cache"
# A HEAD answer is its GET answer without the body (gunicorn drops it): the same headers.
READS = ("GET", "HEAD")


def slash_redirect(url):
    """A 308 to `url`, the request's path with the slash added; JSON under /api/."""
    if not url.startswith(reverse("movie-list")):
        return HttpResponsePermanentRedirect(url, preserve_request=True)
    return HttpResponsePermanentRedirect(
        url,
        preserve_request=True,
        content=JSONRenderer().render(
            {"detail": _("This URL ends with a slash: %(url)s") % {"url": url}}
        ),
        content_type="application/json",
    )


class CommonMiddleware(common.CommonMiddleware):
    """Django's CommonMiddleware (APPEND_SLASH, Content-Length), redirecting with a 308, and
    an ETag with `Cache-Control: no-cache` on GET and HEAD answers. (Django's own once set
    ETags here too; being one layer rather than two matters on the early reads.)"""

    response_redirect_class = staticmethod(slash_redirect)

    def get_full_path_with_slash(self, request):
        # Django refuses to redirect a POST, PUT or PATCH in debug mode because a 301 drops
        # its body; a 308 keeps it, so every method is redirected alike.
        return escape_leading_slashes(request.get_full_path(force_append_slash=True))

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if request.method in READS and not response.streaming:
            set_etag(response)
        return response


def set_etag(response):
    content = response.content
    if not content:
        return
    cache_control = response.get("Cache-Control")
    if cache_control is None:
        # The answer names no cache policy (nor, then, a validator): ours are both.
        response["Cache-Control"] = REVALIDATE
        response["ETag"] = etag(content)
    elif "no-store" not in directive_names(cache_control) and "ETag" not in response:
        response["ETag"] = etag(content)


def directive_names(cache_control):
    """The directives a `Cache-Control` value names (`max-age=60, private` names
    `max-age` and `private`), in lower case."""
    return {part.split("=", 1)[0].strip().lower() for part in cache_control.split(",")}


def etag(content):
    # BLAKE2b, Python's own: a third of the cost of OpenSSL's MD5 (Django's choice) per
    # early read, measured; 128 bits, so a change of content changes the tag.
    return f'W/"{blake2b(content, digest_size=16).hexdigest()}"'


class GZipMiddleware(gzip.GZipMiddleware):
    """Django's (with its random bytes against compression side channels), skipping its work
    where it has none: a client that takes no compressed answer, and an answer whose `Vary`
    names `Accept-Encoding` already (the films', movies.views). Patching `Vary` on every
    answer cost as much as the rest of an early read's middleware together."""

    def process_response(self, request, response):
        if "HTTP_ACCEPT_ENCODING" not in request.META and "Accept-Encoding" in response.get(
            "Vary", ""
        ):
            return response
        return super().process_response(request, response)


class ConditionalGetMiddleware:
    """`If-None-Match` (and the other preconditions) against the ETag: 304 Not Modified,
    412 Precondition Failed, or the answer itself. Outside the gzip middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        meta = request.META
        if not (
            "HTTP_IF_NONE_MATCH" in meta
            or "HTTP_IF_MATCH" in meta
            or "HTTP_IF_MODIFIED_SINCE" in meta
            or "HTTP_IF_UNMODIFIED_SINCE" in meta
        ):
            return response  # not a conditional request (RFC 9110 13.1): the common case
        if request.method not in READS or "ETag" not in response:
            return response
        return get_conditional_response(request, etag=response["ETag"], response=response)
