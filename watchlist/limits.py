"""Refuse oversized request bodies, and bodies of no stated size, before anything reads them."""

from django.conf import settings
from django.http import JsonResponse


class RequestBodyLimitMiddleware:
    """413 for a declared body over DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django applies that setting to form data only; DRF's JSON parser reads the stream
    whole, so without this a large JSON body would be read into memory.
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
            return JsonResponse(
                {"detail": f"Request body too large: at most {self.limit} bytes."}, status=413
            )
        return self.get_response(request)
