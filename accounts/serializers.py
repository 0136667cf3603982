from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer


def username_max_length():
    user_model = get_user_model()
    return user_model._meta.get_field(user_model.USERNAME_FIELD).max_length


class TokenRequestSerializer(AuthTokenSerializer):
    """DRF's username-and-password check (Django's `authenticate`, so the lockout applies),
    with the username no longer than a stored one can be."""

    username = serializers.CharField(label="Username", write_only=True, max_length=150)
    token = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].max_length = username_max_length()


class IssuedTokenSerializer(serializers.Serializer):
    """The answer to a token request (for the schema: knox writes the answer itself)."""

    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown once.")
    expiry = serializers.DateTimeField(
        allow_null=True, help_text="When the token stops working; null if it never does."
    )
