"""The settings the lockout depends on, checked at start-up: none may switch it off quietly."""

from datetime import timedelta

from django.conf import settings
from django.core.checks import Error, register

DATABASE_HANDLER = "axes.handlers.database.AxesDatabaseHandler"


@register()
def lockout_settings(app_configs, **kwargs):
    errors = []
    if getattr(settings, "AXES_HANDLER", None) != DATABASE_HANDLER:
        errors.append(
            Error(
                "The sign-in lockout must keep its state in the database.",
                hint=f"Set AXES_HANDLER to {DATABASE_HANDLER!r}: it is shared by every worker "
                "and instance, and accounts.lockout reads the attempts from it.",
                id="accounts.E001",
            )
        )
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if not isinstance(cool_off, timedelta) or cool_off <= timedelta(0):
        errors.append(
            Error(
                "The sign-in lockout needs a cool-off of at least a second.",
                hint="Set DJANGO_LOCKOUT_COOLOFF to a positive number of seconds.",
                id="accounts.E002",
            )
        )
    limit = getattr(settings, "AXES_FAILURE_LIMIT", None)
    if not isinstance(limit, int) or limit < 1:
        errors.append(
            Error(
                "The sign-in lockout needs a failure limit of at least 1.",
                hint="Set DJANGO_LOCKOUT_FAILURES to a positive number.",
                id="accounts.E003",
            )
        )
    return errors
