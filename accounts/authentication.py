"""Who signs a request: `Authorization: Token <token>`, checked against the digests in the
database, or a browser session."""

from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import CharField
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from movies.prepared import Param, PreparedQuery

TOKEN_FIELDS = ["digest", "token_key", "created", "expiry"]


class HashedTokenAuthentication(TokenAuthentication):
    """django-rest-knox's token authentication (same header, `WWW-Authenticate: Token`,
    `request.auth` an AuthToken) looked up by the token's digest, the table's primary key,
    in one prepared query that reads the user too: building that query per request was a
    third of the cost of a write."""

    def authenticate_credentials(self, token):
        try:
            token = token.decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "Invalid token header. Token string should not contain invalid characters."
            ) from None
        query, user_fields = token_lookup()
        rows = query.rows(digest=hash_token(token))
        if not rows:
            raise exceptions.AuthenticationFailed("Invalid token.")
        row = rows[0]
        user = get_user_model().from_db(
            query.using, user_fields, [row[name] for name in user_fields]
        )
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        values = {name: row[f"auth_token_set__{name}"] for name in TOKEN_FIELDS}
        values["user_id"] = user.pk
        # from_db takes every field's value in the model's order.
        attnames = [field.attname for field in AuthToken._meta.concrete_fields]
        auth_token = AuthToken.from_db(query.using, attnames, [values[a] for a in attnames])
        if auth_token.expiry is not None and auth_token.expiry <= timezone.now():
            raise exceptions.AuthenticationFailed("Token has expired.")
        auth_token.user = user
        return user, auth_token


@lru_cache(maxsize=1)
def token_lookup():
    user_model = get_user_model()
    fields = [field.attname for field in user_model._meta.concrete_fields]
    queryset = user_model._default_manager.filter(
        auth_token_set__digest=Param("digest", CharField())
    ).values(*fields, *(f"auth_token_set__{name}" for name in TOKEN_FIELDS))
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
