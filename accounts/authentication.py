"""Who signs a request: `Authorization: Token <token>`, checked against the digests in the
database, or a browser session."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import CharField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import knox_settings
from knox.signals import token_expired
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from watchlist.prepared import Param, PreparedQuery, stored_fields


class HashedTokenAuthentication(TokenAuthentication):
    """django-rest-knox's token authentication (same header, `WWW-Authenticate: Token`,
    `request.auth` the token's model instance, knox's handling of expiry), the token looked
    up by its digest, the table's primary key, in one prepared query that reads the user
    too: knox's own lookup (by the token's first characters, then every token of the user)
    costs two queries, and building one per request was a third of the cost of a write.

    An expired token is deleted and `knox.signals.token_expired` sent, as knox does; knox's
    `AUTO_REFRESH` and its check of the user are knox's own methods."""

    def authenticate_credentials(self, token):
        try:
            token = token.decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")
            ) from None
        auth_token = token_with_user(hash_token(token))
        if auth_token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if auth_token.expiry is not None and auth_token.expiry <= timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            raise exceptions.AuthenticationFailed(_("Token has expired."))
        if knox_settings.AUTO_REFRESH and auth_token.expiry:
            self.renew_token(auth_token)
        return self.validate_user(auth_token)


def token_with_user(digest):
    """The token (knox's token model) with this digest, its `user` read in the same query;
    None if there is none."""
    lookup = token_lookup()
    rows = lookup.query.rows(digest=digest)
    if not rows:
        return None
    row, using = rows[0], lookup.query.using
    user = lookup.user_model.from_db(
        using, lookup.user_fields, [row[f"user__{name}"] for name in lookup.user_fields]
    )
    auth_token = lookup.token_model.from_db(
        using, lookup.token_fields, [row[name] for name in lookup.token_fields]
    )
    auth_token.user = user
    return auth_token


@dataclass(frozen=True)
class TokenLookup:
    query: PreparedQuery
    token_model: type
    token_fields: list  # the attnames it reads of each model: all of them
    user_model: type
    user_fields: list


@lru_cache(maxsize=1)
def token_lookup():
    token_model, user_model = get_token_model(), get_user_model()
    token_fields = [field.attname for field in stored_fields(token_model)]
    user_fields = [field.attname for field in stored_fields(user_model)]
    queryset = token_model.objects.filter(digest=Param("digest", CharField()))
    query = PreparedQuery(queryset, [*token_fields, *(f"user__{name}" for name in user_fields)])
    return TokenLookup(query, token_model, token_fields, user_model, user_fields)


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
