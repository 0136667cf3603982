"""Test settings: the production module with a throwaway key, fast hashing and plain HTTP."""

import os
import secrets
import tempfile
import uuid

os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DJANGO_HTTPS", "0")

from watchlist.settings import *  # noqa: F403

# Hashing a password the production way takes ~0.3 s; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests render pages without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the apps without collectstatic (the server test checks the real way).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The suite's own throttle counters: never the directory of a development database.
if CACHES["default"]["BACKEND"] == "watchlist.caches.DiskCache":  # noqa: F405
    CACHES = {"default": {**CACHES["default"], "LOCATION": tempfile.mkdtemp(prefix="cache-")}}  # noqa: F405
# A Redis server named by REDIS_URL may hold others' keys: the suite's go under a prefix of
# their own, and only those are deleted between tests (conftest.py).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES = {
        "default": {**CACHES["default"], "KEY_PREFIX": f"watchlist-suite-{uuid.uuid4().hex}"}
    }
