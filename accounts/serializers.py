from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

User = get_user_model()


class CredentialsSerializer(AuthTokenSerializer):
    """A username and its password."""

    # DRF's check (Django's authenticate(), where the lockout sits), with the username no
    # longer than a stored one can be: a longer one is a 400 before any sign-in attempt.
    username = serializers.CharField(
        label=_("Username"),
        write_only=True,
        max_length=User._meta.get_field(User.USERNAME_FIELD).max_length,
    )
    token = None


class IssuedTokenSerializer(serializers.Serializer):
    """A new API token, and when it stops working."""

    # Documents the answer; django-rest-knox's view writes it.
    token = serializers.CharField(
        help_text=_("Send as `Authorization: Token <token>`. Shown once.")
    )
    expiry = serializers.DateTimeField(
        allow_null=True, help_text=_("When the token stops working; null if it never does.")
    )
