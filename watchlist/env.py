"""Environment variables, read strictly: a malformed value stops start-up with one line that
names the variable, never a silent default and never a traceback.

environs parses; every helper turns its error into a `SettingError`, which the entry points
(`manage.py`, the gunicorn config, the container's start-up) print as that one line. A
variable set to an empty string counts as set: `WEB_CONCURRENCY=` is as wrong as
`WEB_CONCURRENCY=two`. Values are never echoed back: some (DATABASE_URL) carry passwords.
"""

import re
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from environs import Env, EnvValidationError, ValidationError, validate

_env = Env()

# What "off" means for a rate limit, and the rates that django-ratelimit (which counts for
# watchlist.throttles) reads the way they read to people. Its own parser takes a prefix of the
# text and the period's first letter: "60/month" would count per minute, "60/min x" too, and
# nothing would say so. It accepts more ("60/5m"); these are what docs/configuration.md documents.
RATE_OFF = {"off", "none", "0"}
RATE = re.compile(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingError(ImproperlyConfigured):
    """An environment variable is malformed, or required and missing; the message names it."""


@contextmanager
def exit_in_one_line():
    """For entry points: a SettingError ends the process with its one line, no traceback."""
    try:
        yield
    except SettingError as error:
        raise SystemExit(f"Configuration error: {error}") from None


def invalid(name, problem):
    return SettingError(f'Environment variable "{name}" invalid: {problem}')


@contextmanager
def _named_errors(name):
    try:
        yield
    except EnvValidationError as error:
        messages = error.error_messages
        problem = " ".join(messages) if isinstance(messages, list) else str(messages)
        raise invalid(name, problem) from None


def env_str(name, default, pattern=None, problem=None):
    """Text; with `pattern`, text that matches it whole (else `problem` is the error)."""
    check = validate.Regexp(rf"(?:{pattern})\Z", error=problem) if pattern else None
    with _named_errors(name):
        return _env.str(name, default, validate=check)


def env_bool(name, default=False):
    """1/0, true/false, yes/no, on/off (any case); anything else is an error."""
    with _named_errors(name):
        return _env.bool(name, default)


def env_int(name, default, minimum=0, maximum=None):
    with _named_errors(name):
        return _env.int(name, default, validate=validate.Range(min=minimum, max=maximum))


def env_list(name, default=()):
    """Comma-separated; blanks around and between items are dropped."""
    with _named_errors(name):
        items = _env.list(name, list(default))
    return [item.strip() for item in items if item.strip()]


def env_choice(name, default, choices):
    """One of `choices`, case-insensitively; returns the spelling in `choices`."""
    with _named_errors(name):
        value = _env.str(name, default)
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise invalid(name, f"must be one of {', '.join(choices)}.")


def env_rate(name, default):
    """A rate limit such as "60/min" (per s, min, h or day); "off" is no limit."""
    with _named_errors(name):
        value = _env.str(name, default, validate=_valid_rate).strip()
    return None if value.lower() in RATE_OFF else value


def _valid_rate(value):
    if value.strip().lower() not in RATE_OFF and not RATE.fullmatch(value.strip()):
        raise ValidationError('Not a rate: use "off" or requests/period, such as "60/min".')


# The databases the project runs on, and the URL forms it reads for them.
DATABASE_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
DATABASE_FORMS = (
    "use sqlite:///relative/path.sqlite3, sqlite:////absolute/path.sqlite3 or "
    "postgres://user:password@host:5432/name."
)


def env_database(name, default, **options):
    """A database URL (dj-database-url) as a Django DATABASES entry: SQLite or PostgreSQL,
    and a SQLite URL that names a file (dj-database-url reads `sqlite://name`, with two
    slashes, as an in-memory database that vanishes with the process)."""
    with _named_errors(name):
        config = _env.dj_db_url(name, default, **options)
    if config["ENGINE"] not in DATABASE_ENGINES:
        raise invalid(name, f"not a SQLite or PostgreSQL URL: {DATABASE_FORMS}")
    if config["ENGINE"] == "django.db.backends.sqlite3" and config["NAME"] == ":memory:":
        raise invalid(name, f"this SQLite URL names no file: {DATABASE_FORMS}")
    return config


def env_url(name, schemes):
    """An optional URL with one of the given schemes (None when unset)."""
    with _named_errors(name):
        return _env.str(name, None, validate=validate.URL(schemes=set(schemes), require_tld=False))
