import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.tokens import issue_token

SAMPLE_TITLES = ["Fight Club", "The Matrix", "Donnie Darko", "Inception"]


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("viewer", password="a-long-test-password")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "curator", password="a-long-test-password", is_staff=True, is_superuser=True
    )


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def token_client(user):
    """A client that authenticates as scripts do: `Authorization: Token <key>`."""
    client = APIClient()
    _, token = issue_token(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def session_client(user):
    """A browser-like client: session login, and CSRF checks enforced as in production."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def samples(db):
    from django.core.management import call_command

    from movies.models import Movie

    call_command("loaddata", "movies", verbosity=0)
    return list(Movie.objects.order_by("id"))


@pytest.fixture
def importer(staff):
    """A staff member's script: may import, authenticates with a token."""
    client = APIClient()
    _, token = issue_token(staff)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
