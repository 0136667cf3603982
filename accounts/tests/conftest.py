# The project's shared fixtures (users, API clients) live beside the movies tests.
from movies.tests.conftest import anon_client, staff, token_client, user  # noqa: F401
