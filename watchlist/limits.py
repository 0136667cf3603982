"""Refuse oversized request bodies, and bodies of no stated size, before anything reads them."""

from django.conf import settings
from django.http import JsonResponse
from django.urls import Resolver404, resolve

# Room for a multipart body's boundaries and other fields beside its files.
MULTIPART_ROOM = 1024 * 1024


class RequestBodyLimitMiddleware:
    """413 for a declared body over DATA_UPLOAD_MAX_MEMORY_SIZE, or, for a view that takes
    uploads (its `body_limit_setting` names the setting of its limit: the imports), over
    that limit.

    Django applies DATA_UPLOAD_MAX_MEMORY_SIZE to form data only; DRF's JSON parser reads
    the stream whole, so without this a large JSON body would be read into memory.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def __call__(self, request):
        if "HTTP_TRANSFER_ENCODING" in request.META:
            # Django reads a body by its Content-Length: a chunked one would be taken for
            # an empty body, and a write silently lose its fields.
            return JsonResponse(
                {"detail": "A request body needs a Content-Length header (no chunked bodies)."},
                status=411,
            )
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit():
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        if self.limit is not None and int(declared) > self.limit:
            limit = upload_limit(request) or self.limit
            if int(declared) > limit:
                return JsonResponse(
                    {"detail": f"Request body too large: at most {limit} bytes."}, status=413
                )
        return self.get_response(request)


def upload_limit(request):
    """The body limit of the view at the request's path, if it takes uploads."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    name = getattr(view, "body_limit_setting", None) or getattr(
        getattr(view, "cls", None), "body_limit_setting", None
    )
    return getattr(settings, name) + MULTIPART_ROOM if name else None
