"""The sign-in log: successes, failures and lockouts with user, client address and request
id, and never a password or a token."""

import logging

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.tests.signin import PASSWORD, ROUTES

pytestmark = pytest.mark.django_db

TOKEN_ROUTE = ROUTES[2]


@pytest.fixture
def signin_log(caplog):
    caplog.set_level(logging.INFO, logger="watchlist.signin")

    def records():
        return [r for r in caplog.records if r.name == "watchlist.signin"]

    return records


def fields(record):
    return (record.levelname, record.user, record.client_address, record.path, record.request_id)


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_a_success_is_logged(route, signin_log):
    get_user_model().objects.create_user("alice", password=PASSWORD, is_staff=True)

    route.attempt(APIClient(), "alice", PASSWORD, HTTP_X_REQUEST_ID="req-1")

    [record] = signin_log()
    assert fields(record) == ("INFO", "alice", "127.0.0.1", route.url, "req-1")
    assert record.getMessage() == (
        f"sign-in succeeded: user='alice' client_address=127.0.0.1 path='{route.url}' "
        "request_id='req-1'"
    )


def test_a_failure_is_logged_once_without_the_password(signin_log, caplog):
    response = TOKEN_ROUTE.attempt(
        APIClient(), "alice", "my-secret-guess", REMOTE_ADDR="192.0.2.9"
    )

    [record] = signin_log()
    assert fields(record) == (
        "WARNING",
        "alice",
        "192.0.2.9",
        TOKEN_ROUTE.url,
        response["X-Request-ID"],
    )
    assert record.getMessage().startswith("sign-in failed: user='alice'")
    assert "my-secret-guess" not in repr(record.__dict__)
    # django-axes' own lines would say it again.
    assert not [r for r in caplog.records if r.name.startswith("axes")]


def test_a_lockout_is_logged_once_per_refused_attempt(signin_log, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        TOKEN_ROUTE.attempt(client, "alice", "wrong")

    events = [record.getMessage().split(":")[0] for record in signin_log()]

    failures = settings.AXES_FAILURE_LIMIT - 1
    assert events == ["sign-in failed"] * failures + ["sign-in refused, locked out"] * 2
    assert {record.user for record in signin_log()} == {"alice"}


def test_a_username_cannot_forge_a_log_line(signin_log):
    TOKEN_ROUTE.attempt(APIClient(), "alice\nsign-in succeeded: user='admin'", "wrong")

    [record] = signin_log()
    assert "\n" not in record.getMessage()


def test_an_unsafe_request_id_from_the_client_is_replaced(signin_log):
    response = TOKEN_ROUTE.attempt(
        APIClient(), "alice", "wrong", HTTP_X_REQUEST_ID="forged\nsign-in succeeded"
    )

    [record] = signin_log()
    assert record.request_id == response["X-Request-ID"]
    assert "forged" not in record.request_id


def test_a_token_is_never_logged(signin_log, caplog, user):
    caplog.set_level(logging.DEBUG)
    response = TOKEN_ROUTE.attempt(APIClient(), "viewer", PASSWORD)
    token = response.json()["token"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.post("/api/", {"title": "Memento", "release_date": "2000-10-11"}, format="json")

    assert signin_log()
    assert token not in caplog.text
    assert token[15:] not in repr([record.__dict__ for record in caplog.records])
