"""The production settings module, loaded in a fresh interpreter as a server would."""

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import hypothesis
import pytest
from django.conf import settings
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle

from watchlist.env import RATE

BASE_DIR = Path(__file__).resolve().parents[2]
SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
SECONDS |= {"h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def load_settings(tmp_path, code="print('loaded')", **env):
    """Run `code` after importing watchlist.settings with only the given variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="watchlist.settings", WATCHLIST_DATA_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings as s; {code}",
        ],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start(tmp_path, *command, cwd=BASE_DIR, **env):
    """Run an entry point (default `manage.py check`) with only the given variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(WATCHLIST_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, *(command or ("manage.py", "check"))],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_stopped_in_one_line(result, *phrases):
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: ")
    for phrase in phrases:
        assert phrase in lines[0]


def test_missing_secret_key_refuses_to_start_with_one_clear_line(tmp_path):
    result = start(tmp_path, str(BASE_DIR / "manage.py"), "check", cwd=tmp_path)

    assert_stopped_in_one_line(result, "DJANGO_SECRET_KEY is not set", "secrets.token_urlsafe")


def test_missing_secret_key_beside_a_dot_env_says_to_load_it(tmp_path):
    (tmp_path / ".env").write_text(f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n")

    result = start(tmp_path, str(BASE_DIR / "manage.py"), "check", cwd=tmp_path)

    assert_stopped_in_one_line(
        result, "DJANGO_SECRET_KEY is not set", "load it first with: set -a && . ./.env && set +a"
    )
    assert "weak" not in result.stderr


@pytest.mark.parametrize(
    "key", ["short", "a" * 60, "django-insecure-" + secrets.token_urlsafe(50)]
)
def test_weak_secret_key_refuses_to_start(tmp_path, key):
    result = start(tmp_path, DJANGO_SECRET_KEY=key)

    assert_stopped_in_one_line(result, "DJANGO_SECRET_KEY is weak")


POSTGRES = "postgres://watchlist@db.internal:5432/watchlist"
MALFORMED = [
    ({"DJANGO_DEBUG": "ture"}, "Not a valid boolean"),
    ({"DJANGO_HTTPS": "maybe"}, "Not a valid boolean"),
    ({"DJANGO_SECURE_PROXY_SSL_HEADER": "2"}, "Not a valid boolean"),
    ({"DJANGO_HSTS_SECONDS": "abc"}, "Not a valid integer"),
    ({"DJANGO_MAX_BODY_BYTES": ""}, "Not a valid integer"),
    ({"DJANGO_NUM_PROXIES": "-1"}, "greater than or equal to 0"),
    ({"DATABASE_URL": "postgress://watchlist:s3cret-pw@db/watchlist"}, "database URL"),
    ({"DATABASE_URL": "watchlist.sqlite3"}, "database URL"),
    ({"REDIS_URL": "http://cache:6379/0"}, "Not a valid URL"),
    ({"REDIS_URL": "redis://:s3cret-pw@cache:port/0"}, "Not a valid URL"),
    ({"DJANGO_THROTTLE_WRITES": "lots"}, "Not a rate"),
    ({"DJANGO_THROTTLE_TOKEN": "10/fortnight"}, "Not a rate"),
    ({"DJANGO_THROTTLE_READS": "-5/min"}, "Not a rate"),
    ({"DJANGO_LOG_LEVEL": "verbose"}, "must be one of DEBUG"),
    ({"DJANGO_LANGUAGE_CODE": "fr"}, "must be one of en, es"),
    ({"DJANGO_CACHE_KEY_PREFIX": "staging site"}, "letters, digits and _ . : - only"),
    ({"DATABASE_URL": POSTGRES, "DJANGO_DB_POOL_MAX_SIZE": "many"}, "Not a valid integer"),
    (
        {"DATABASE_URL": POSTGRES, "DJANGO_DB_POOL_MAX_SIZE": "2", "DJANGO_DB_POOL_MIN_SIZE": "3"},
        "less than or equal to 2",
    ),
    (
        {"DATABASE_URL": POSTGRES, "DJANGO_DB_POOL_MAX_SIZE": "2", "DJANGO_DB_POOL_TIMEOUT": "0"},
        "greater than or equal to 1",
    ),
    (
        {"DATABASE_URL": POSTGRES, "DJANGO_DB_POOL_MAX_SIZE": "2", "DJANGO_CONN_MAX_AGE": "60"},
        "exclude the pool",
    ),
]


@pytest.mark.parametrize(("env", "problem"), MALFORMED, ids=lambda v: str(v)[:40])
def test_malformed_variable_stops_start_up_in_one_line_naming_it(tmp_path, env, problem):
    name = list(env)[-1]  # the variable at fault comes last

    result = start(tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), **env)

    assert_stopped_in_one_line(result, f'"{name}"', problem)
    assert "s3cret-pw" not in result.stderr


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"WEB_CONCURRENCY": "two"}, "Not a valid integer"),
        ({"GUNICORN_THREADS": "0"}, "greater than or equal to 1"),
        ({"GUNICORN_GRACEFUL_TIMEOUT": "25s"}, "Not a valid integer"),
        ({"PORT": "70000"}, "less than or equal to 65535"),
        ({"GUNICORN_LOG_LEVEL": "loud"}, "must be one of debug"),
        ({"MIGRATE_ON_START": "maybe"}, "Not a valid boolean"),
        ({"LOAD_SAMPLE_DATA": "2"}, "Not a valid boolean"),
        ({"DJANGO_DEBUG": "ture"}, "Not a valid boolean"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_container_start_up_stops_in_one_line_on_a_malformed_variable(tmp_path, env, problem):
    # Before the server starts: gunicorn parses WEB_CONCURRENCY itself, with a traceback.
    result = start(
        tmp_path, "-m", "watchlist.startup", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), **env
    )

    assert_stopped_in_one_line(result, f'"{next(iter(env))}"', problem)
    assert not (tmp_path / "db.sqlite3").exists()


@pytest.mark.parametrize(
    "env",
    [{"GUNICORN_THREADS": "two"}, {"GUNICORN_LOG_LEVEL": "loud"}, {"DJANGO_DEBUG": "ture"}],
    ids=lambda v: next(iter(v)),
)
def test_gunicorn_config_stops_the_master_in_one_line(tmp_path, env):
    result = start(
        tmp_path,
        *("-m", "gunicorn", "-c", "watchlist/gunicorn.conf.py", "--check-config"),
        "watchlist.wsgi",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **env,
    )

    assert_stopped_in_one_line(result, f'"{next(iter(env))}"')


def test_container_start_up_migrates_and_loads_the_sample_films(tmp_path):
    result = start(
        tmp_path,
        "-m",
        "watchlist.startup",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        LOAD_SAMPLE_DATA="yes",
    )

    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        titles = {row[0] for row in database.execute("SELECT title FROM movies_movie")}
    assert "Donnie Darko" in titles
    assert len(titles) == 4


def test_container_start_up_skips_migrations_when_told(tmp_path):
    result = start(
        tmp_path,
        "-m",
        "watchlist.startup",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        MIGRATE_ON_START="0",
    )

    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


def test_well_formed_values_are_read(tmp_path):
    result = load_settings(
        tmp_path,
        "rates = s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'];"
        "print(s.DEBUG, s.HTTPS, rates['writes'], rates['reads'], rates['token'],"
        " s.REDIS_URL, s.LOGGING['root']['level'], s.DATA_UPLOAD_MAX_MEMORY_SIZE)",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="No",
        DJANGO_HTTPS="ON",
        DJANGO_THROTTLE_WRITES="60/minute",
        DJANGO_THROTTLE_READS="Off",
        DJANGO_THROTTLE_TOKEN="5/s",
        REDIS_URL="rediss://:pw@cache.internal:6380/1",
        DJANGO_LOG_LEVEL="warning",
        DJANGO_MAX_BODY_BYTES=" 1024 ",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "60/minute",
        "None",
        "5/s",
        "rediss://:pw@cache.internal:6380/1",
        "WARNING",
        "1024",
    ]


# A busy machine is no fault of the code under test.
@hypothesis.settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(RATE, fullmatch=True))
def test_every_accepted_rate_means_to_drf_what_it_says(rate):
    count, period = rate.split("/")

    assert SimpleRateThrottle.parse_rate(None, rate) == (int(count), SECONDS[period])


def test_defaults_are_production_safe(tmp_path):
    result = load_settings(
        tmp_path,
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS, s.DATABASES['default']['NAME'])",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 5)[:5] == ["False", "True", "True", "True", "True"]
    assert "['localhost', '127.0.0.1', '[::1]']" in result.stdout
    assert result.stdout.strip().endswith(f"{tmp_path}/db.sqlite3")


@pytest.mark.parametrize(("env", "language"), [({}, "en"), ({"DJANGO_LANGUAGE_CODE": "ES"}, "es")])
def test_the_default_language_is_english_unless_configured(tmp_path, env, language):
    result = load_settings(
        tmp_path,
        "from django.utils import translation; print(s.LANGUAGE_CODE, translation.get_language())",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [language, language]


def test_debug_runs_without_a_secret_key(tmp_path):
    result = load_settings(tmp_path, "print(s.DEBUG, s.SECURE_SSL_REDIRECT)", DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True False"


def test_environment_sets_hosts_origins_and_database(tmp_path):
    result = load_settings(
        tmp_path,
        "print(s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.DATABASES['default']['ENGINE'],"
        " s.DATABASES['default']['CONN_MAX_AGE'], s.SECURE_PROXY_SSL_HEADER)",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="watchlist.example.com, api.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://watchlist.example.com",
        DATABASE_URL="postgres://user@db.internal:5432/watchlist",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['watchlist.example.com', 'api.example.com'] ['https://watchlist.example.com'] "
        "django.db.backends.postgresql 600 ('HTTP_X_FORWARDED_PROTO', 'https')"
    )


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite pragmas only apply to SQLite",
)
def test_sqlite_connection_is_tuned_for_several_processes(tmp_path):
    result = load_settings(
        tmp_path,
        "from django.db import connection as c; cur = c.cursor();"
        "print([cur.execute(f'PRAGMA {p}').fetchone()[0] for p in"
        " ('journal_mode', 'synchronous', 'busy_timeout', 'foreign_keys')],"
        " c.transaction_mode)",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )

    assert result.returncode == 0, result.stderr
    # synchronous=1 is NORMAL; busy_timeout is in milliseconds.
    assert result.stdout.strip() == "['wal', 1, 20000, 1] IMMEDIATE"


def test_persistent_connections_are_health_checked(db):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "None 600"),
        ({"DJANGO_CONN_MAX_AGE": "0"}, "None 0"),
        ({"DJANGO_DB_POOL_MAX_SIZE": "2"}, "{'min_size': 1, 'max_size': 2, 'timeout': 3} 0"),
        (
            {"DJANGO_DB_POOL_MAX_SIZE": "4", "DJANGO_DB_POOL_MIN_SIZE": "0"},
            "{'min_size': 0, 'max_size': 4, 'timeout': 3} 0",
        ),
        (
            {"DJANGO_DB_POOL_MAX_SIZE": "2", "DJANGO_DB_POOL_TIMEOUT": "1"},
            "{'min_size': 1, 'max_size': 2, 'timeout': 1} 0",
        ),
        (
            {"DJANGO_DB_POOL_MAX_SIZE": "2", "DJANGO_CONN_MAX_AGE": "0"},
            "{'min_size': 1, 'max_size': 2, 'timeout': 3} 0",
        ),
    ],
    ids=str,
)
def test_postgresql_connections_come_from_a_pool_when_asked(tmp_path, env, expected):
    result = load_settings(
        tmp_path,
        "d = s.DATABASES['default']; print(d['OPTIONS'].get('pool'), d['CONN_MAX_AGE'])",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://watchlist@db.internal:5432/watchlist",
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_sqlite_has_no_pool(tmp_path):
    result = load_settings(
        tmp_path,
        "d = s.DATABASES['default']; print(d['OPTIONS'].get('pool'), d['CONN_MAX_AGE'])",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DB_POOL_MAX_SIZE="8",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None 600"


@pytest.mark.parametrize(
    ("env", "backend", "location"),
    [
        ({}, "watchlist.caches.DiskCache", "{tmp_path}/cache"),
        (
            {"DATABASE_URL": "postgres://user@db.internal:5432/watchlist"},
            "django.core.cache.backends.db.DatabaseCache",
            "watchlist_cache",
        ),
        (
            {"REDIS_URL": "redis://cache.internal:6379/0"},
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache.internal:6379/0",
        ),
    ],
    ids=["sqlite: a directory beside the database", "postgres: a table", "redis"],
)
def test_the_throttle_cache_is_shared_by_every_process(tmp_path, env, backend, location):
    result = load_settings(
        tmp_path,
        "c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [backend, location.format(tmp_path=tmp_path)]


@pytest.mark.parametrize(
    "env",
    [{}, {"DATABASE_URL": POSTGRES}, {"REDIS_URL": "redis://cache.internal:6379/0"}],
    ids=["sqlite", "postgres", "redis"],
)
def test_the_cache_key_prefix_is_configurable(tmp_path, env):
    result = load_settings(
        tmp_path,
        "print(repr(s.CACHES['default']['KEY_PREFIX']))",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_CACHE_KEY_PREFIX="staging",
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "'staging'"


CORS_SETTINGS = (
    "print(s.CORS_ALLOWED_ORIGINS, s.CORS_ALLOW_CREDENTIALS,"
    " s.MIDDLEWARE.index('corsheaders.middleware.CorsMiddleware')"
    " if 'corsheaders.middleware.CorsMiddleware' in s.MIDDLEWARE else None)"
)


def test_cors_is_off_unless_origins_are_given(tmp_path):
    result = load_settings(tmp_path, CORS_SETTINGS, DJANGO_SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] False None"


def test_cors_origins_and_credentials_come_from_the_environment(tmp_path):
    result = load_settings(
        tmp_path,
        CORS_SETTINGS,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_CORS_ALLOWED_ORIGINS="https://films.example.com, http://localhost:5173",
        DJANGO_CORS_ALLOW_CREDENTIALS="1",
    )

    assert result.returncode == 0, result.stderr
    # Right after the health probes: every other answer, errors included, carries CORS.
    assert result.stdout.strip() == (
        "['https://films.example.com', 'http://localhost:5173'] True 1"
    )


def test_a_malformed_cors_origin_fails_the_checks(tmp_path):
    result = load_settings(
        tmp_path,
        "from django.core.management import call_command; call_command('check')",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_CORS_ALLOWED_ORIGINS="films.example.com",
    )

    assert result.returncode != 0
    assert "corsheaders.E013" in result.stderr
