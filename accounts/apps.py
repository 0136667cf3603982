from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: API tokens, the lockout after failed sign-ins, and the sign-in log."""

    name = "accounts"
    verbose_name = "Sign-in"

    def ready(self):
        # The lockout's settings checks, the sign-in log's signal receivers, and the OpenAPI
        # description of token authentication.
        from accounts import checks, schema, signin_log  # noqa: F401
