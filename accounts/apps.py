from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class AccountsConfig(AppConfig):
    """Signing in: API tokens, the lockout after failed sign-ins, and the sign-in log."""

    name = "accounts"
    default = True  # this module holds the configurations of two libraries too
    verbose_name = _("Sign-in")

    def ready(self):
        # The lockout's settings checks, the sign-in log's signal receivers, and the OpenAPI
        # description of token authentication.
        from accounts import checks, schema, signin_log  # noqa: F401


# The libraries behind signing in, under the names a person looks for in the admin's index
# (theirs are "Axes" and "Knox").
class LockoutsConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")


# django-axes ships no Spanish: the names of its models that the admin shows, translated in
# this project's catalogs (listed here so that `make messages` keeps them there).
AXES_NAMES = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]


class TokensConfig(AppConfig):
    name = "knox"
    verbose_name = _("API tokens")
