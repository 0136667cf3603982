"""API tokens: made here, stored by django-rest-knox as SHA-512 digests, never as sent.

A token is 64 hex characters (256 random bits), shown once when it is made. The database
keeps its digest (the primary key), its first 15 characters (knox's `token_key`, enough to
tell tokens apart in the admin, far too few to guess the rest) and its expiry.
"""

from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken


def issue_token(user):
    """A new token for `user`, valid for DJANGO_TOKEN_TTL: (its AuthToken row, the token).

    The user's expired tokens are deleted first, so that the table holds live tokens only.
    """
    user.auth_token_set.filter(expiry__lt=timezone.now()).delete()
    return AuthToken.objects.create(user=user)


def revoke_token(token):
    """Revoke one token given as sent; returns how many were revoked (0 or 1)."""
    deleted, _ = AuthToken.objects.filter(digest=hash_token(token)).delete()
    return deleted


def revoke_all_tokens(user):
    deleted, _ = user.auth_token_set.all().delete()
    return deleted


def delete_expired_tokens():
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
