from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework.permissions import IsAuthenticated


class TokenRequiredForGet(IsAuthenticated):
    """For the Flask-era `GET /api/watch/<id>/`, a GET that changes state.

    A browser sends its session cookie on any cross-site GET and CSRF protection does not
    cover GET, so a session may only POST here (with its CSRF token); GET is for clients
    that authenticate with a token, as scripts do.
    """

    message = _("GET on this route needs token authentication; a browser session must POST.")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method == "GET":
            return isinstance(request.successful_authenticator, TokenAuthentication)
        return True
