"""Fixtures for every test."""

import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

from accounts.tests.signin import PASSWORD
from accounts.tokens import issue_token
from watchlist.tests.live import LOCAL_REDIS, delete_keys, new_key_prefix


def empty(cache):
    """Delete what `cache` holds; on Redis, only the keys under its own prefix (the test
    settings give the suite's Redis cache one; other runs may share the server)."""
    if isinstance(cache, DatabaseCache):
        return  # emptied by each test's rollback; only tests with a database may use it
    if isinstance(cache, RedisCache):
        delete_keys(cache._cache.get_client(write=True), cache.key_prefix)
        return
    cache.clear()


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters from one test must not count against the next."""
    cache = caches["default"]
    empty(cache)
    yield
    empty(cache)


@pytest.fixture
def local_redis_cache():
    """CACHES for the local Redis server, under a key prefix of this test's own; whatever
    the test counted there is deleted after."""
    config = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": LOCAL_REDIS,
            "KEY_PREFIX": new_key_prefix(),
        }
    }
    yield config
    cache = RedisCache(LOCAL_REDIS, {"KEY_PREFIX": config["default"]["KEY_PREFIX"]})
    empty(cache)
    cache.close()


@pytest.fixture
def one_limit_window(monkeypatch):
    """The limiter's clock held where the test began. Limits count in fixed windows: a test
    that counts up to a limit must do so within one, or a window ending between two of its
    requests starts the count again."""
    began = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: began))


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("viewer", password=PASSWORD)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "curator", password=PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def api_token(user):
    """A new API token of `user`, as sent in `Authorization: Token <token>`."""
    return issue_token(user)[1]


@pytest.fixture
def token_client(api_token):
    """A client that authenticates as scripts do: `Authorization: Token <key>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token}")
    return client


@pytest.fixture
def importer(staff):
    """A staff member's script: may import, authenticates with a token."""
    client = APIClient()
    _, token = issue_token(staff)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def session_client(user):
    """A browser-like client: session login, and CSRF checks enforced as in production."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client
