"""A setting that would switch the lockout off stops the start-up instead."""

from datetime import timedelta

from accounts.checks import lockout_settings


def ids(errors):
    return [error.id for error in errors]


def test_the_shipped_settings_pass():
    assert lockout_settings(None) == []


def test_a_lockout_outside_the_database_is_refused(settings):
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"

    assert ids(lockout_settings(None)) == ["accounts.E001"]


def test_a_cool_off_of_zero_is_refused(settings):
    settings.AXES_COOLOFF_TIME = timedelta(0)

    assert ids(lockout_settings(None)) == ["accounts.E002"]


def test_a_failure_limit_of_zero_is_refused(settings):
    settings.AXES_FAILURE_LIMIT = 0

    assert ids(lockout_settings(None)) == ["accounts.E003"]
