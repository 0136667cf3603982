"""The release before tokens were hashed, as far as its tokens go: DRF's `authtoken` app
(plain keys in `authtoken_token`, `drf_create_token`) and DRF's token authentication, and
not yet the migration that hashes them (the `accounts` app). knox stays installed, its table
unused: the project's URLs import it. For the rollout test:
`DJANGO_SETTINGS_MODULE=accounts.tests.previous_release_settings`."""

from watchlist.settings import *  # noqa: F403

INSTALLED_APPS = [
    *(app for app in INSTALLED_APPS if app != "accounts"),  # noqa: F405
    "rest_framework.authtoken",
]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}
