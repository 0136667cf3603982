"""Token authentication with its lookup compiled once (see movies.prepared)."""

from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import CharField
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token

from movies.prepared import Param, PreparedQuery


class PreparedTokenAuthentication(TokenAuthentication):
    """DRF's TokenAuthentication, same header, answers and `request.auth` (a Token), with
    the user and token read by one prepared query: building that query per request was a
    third of the cost of a write."""

    def authenticate_credentials(self, key):
        query, user_fields = token_lookup()
        rows = query.rows(key=key)
        if not rows:
            raise exceptions.AuthenticationFailed("Invalid token.")
        row = rows[0]
        user = get_user_model().from_db(
            query.using, user_fields, [row[name] for name in user_fields]
        )
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        token = Token.from_db(
            query.using, ["key", "user_id", "created"], [key, user.pk, row["auth_token__created"]]
        )
        token.user = user
        return user, token


@lru_cache(maxsize=1)
def token_lookup():
    user_model = get_user_model()
    fields = [field.attname for field in user_model._meta.concrete_fields]
    queryset = user_model._default_manager.filter(
        auth_token__key=Param("key", CharField())
    ).values(*fields, "auth_token__created")
    return PreparedQuery(queryset), fields


class SessionCookieAuthentication(SessionAuthentication):
    """DRF's SessionAuthentication, looked up only when the request carries a session cookie.

    Without one there is no session to read; not touching it keeps `Vary: Cookie` off the
    answers to clients that send no cookie, so an anonymous client gets the same headers
    whichever way its read is answered (early or through DRF) and as a token client does.
    """

    def authenticate(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super().authenticate(request)
