"""Fixtures for every test."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters from one test must not count against the next. (A database
    cache is emptied by each test's rollback, and only tests with a database may use it.)"""
    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        cache.clear()
    yield
    if not isinstance(cache, DatabaseCache):
        cache.clear()
