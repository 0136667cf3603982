"""The production settings with one route that fails (`/api/crash/`), for tests of error
reports on a real server: `DJANGO_SETTINGS_MODULE=watchlist.tests.crash_settings`."""

from watchlist.settings import *  # noqa: F403

ROOT_URLCONF = "watchlist.tests.crash_urls"
