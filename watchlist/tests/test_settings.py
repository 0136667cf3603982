"""The production settings module, loaded in a fresh interpreter as a server would."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


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


def test_missing_secret_key_refuses_to_start_with_one_clear_line(tmp_path):
    result = load_settings(tmp_path)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is missing or weak" in result.stderr.splitlines()[-1]
    assert "loaded" not in result.stdout


@pytest.mark.parametrize(
    "key", ["short", "a" * 60, "django-insecure-" + secrets.token_urlsafe(50)]
)
def test_weak_secret_key_refuses_to_start(tmp_path, key):
    result = load_settings(tmp_path, DJANGO_SECRET_KEY=key)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is missing or weak" in result.stderr


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
    ("env", "backend", "location"),
    [
        ({}, "diskcache.DjangoCache", "{tmp_path}/cache"),
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
