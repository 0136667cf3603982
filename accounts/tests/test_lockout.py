"""The lockout: repeated failed sign-ins lock a username and a client address out of every
sign-in route for the cool-off; staff can see and clear it."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.lockout import in_words
from accounts.tests.signin import LOCKED_OUT, PASSWORD, ROUTES

pytestmark = pytest.mark.django_db

route_ids = [route.name for route in ROUTES]


def make_user(username):
    # Staff, so that the admin's login accepts the right password too.
    return get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)


def fail(route, client, username, times, **headers):
    return [
        route.outcome(route.attempt(client, username, "wrong", **headers)) for _ in range(times)
    ]


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


@pytest.mark.parametrize("route", ROUTES, ids=route_ids)
def test_repeated_wrong_passwords_lock_the_username_out(route, limit, settings):
    make_user("alice")
    client = APIClient()

    outcomes = fail(route, client, "alice", limit)
    right = route.attempt(client, "alice", PASSWORD)

    assert outcomes == ["rejected"] * (limit - 1) + ["locked out"]
    assert route.outcome(right) == "locked out"
    cool_off = settings.AXES_COOLOFF_TIME.total_seconds()
    assert 0 < int(right["Retry-After"]) <= cool_off
    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.failures_since_start == limit
    assert attempt.ip_address == "127.0.0.1"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.html], ids=lambda r: r.name)
def test_a_sign_in_page_says_why_it_refuses(route, limit):
    make_user("alice")
    client = APIClient()
    fail(route, client, "alice", limit)

    response = route.attempt(client, "alice", PASSWORD, HTTP_ACCEPT="text/html")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert 'name="password"' in content  # the sign-in form, with the reason on it
    assert f"{LOCKED_OUT} for this account or from this address: try again in 15 minutes." in (
        content
    )
    assert "correct username and password" not in content
    assert "Unable to log in" not in content


def test_the_token_endpoint_refuses_in_json(limit):
    make_user("alice")
    client = APIClient()
    fail(ROUTES[2], client, "alice", limit)

    response = client.post(reverse("api-token"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"{LOCKED_OUT} for this account or from this address: try again in 15 minutes."
    }
    assert response["Retry-After"] == "900"


def test_the_lockout_says_why_in_the_language_asked_for(limit):
    make_user("alice")
    client = APIClient()
    fail(ROUTES[2], client, "alice", limit)
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}

    response = client.post(
        reverse("api-token"), {"username": "alice", "password": PASSWORD}, **spanish
    )
    page = client.post(
        reverse("admin:login"), {"username": "alice", "password": PASSWORD}, **spanish
    )

    assert response.status_code == page.status_code == HTTPStatus.TOO_MANY_REQUESTS
    message = (
        "Demasiados intentos fallidos de inicio de sesión para esta cuenta o desde esta "
        "dirección: vuelve a intentarlo dentro de 15 minutos."
    )
    assert response.json() == {"detail": message}
    assert response["Content-Language"] == "es"
    assert message in page.content.decode()


@pytest.mark.parametrize("route", ROUTES, ids=route_ids)
def test_failures_on_one_route_lock_every_route(route, limit):
    make_user("alice")
    client = APIClient()
    others = [other for other in ROUTES if other is not route]

    fail(others[0], client, "alice", limit - 1)
    fail(others[1], client, "alice", 1)

    assert route.outcome(route.attempt(client, "alice", PASSWORD)) == "locked out"


@pytest.mark.parametrize("route", ROUTES, ids=route_ids)
def test_another_user_from_another_address_is_not_affected(route, limit):
    make_user("alice")
    make_user("bob")
    fail(route, APIClient(), "alice", limit)

    response = route.attempt(APIClient(), "bob", PASSWORD, REMOTE_ADDR="192.0.2.20")

    assert route.outcome(response) == "accepted"


def test_the_locked_address_is_refused_for_every_username(limit):
    route = ROUTES[2]
    make_user("bob")
    fail(route, APIClient(), "nobody-in-particular", limit)

    same_address = route.attempt(APIClient(), "bob", PASSWORD)
    other_address = route.attempt(APIClient(), "bob", PASSWORD, REMOTE_ADDR="192.0.2.20")

    assert route.outcome(same_address) == "locked out"
    assert route.outcome(other_address) == "accepted"


def test_the_locked_username_is_refused_from_every_address(limit):
    route = ROUTES[2]
    make_user("alice")
    fail(route, APIClient(), "alice", limit)

    response = route.attempt(APIClient(), "alice", PASSWORD, REMOTE_ADDR="192.0.2.20")

    assert route.outcome(response) == "locked out"


@pytest.mark.parametrize("route", ROUTES, ids=route_ids)
def test_the_lockout_ends_after_the_cool_off(route, limit, settings):
    make_user("alice")
    client = APIClient()
    fail(route, client, "alice", limit)
    # The cool-off passing, as the database sees it: the last failure is that long ago.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
    )

    response = route.attempt(client, "alice", PASSWORD)

    assert route.outcome(response) == "accepted"
    assert not AccessAttempt.objects.exists()


def test_attempts_during_a_lockout_do_not_extend_it(limit):
    route = ROUTES[2]
    make_user("alice")
    client = APIClient()
    fail(route, client, "alice", limit)
    locked_at = AccessAttempt.objects.get().attempt_time

    fail(route, client, "alice", 3)
    route.attempt(client, "alice", PASSWORD)

    attempt = AccessAttempt.objects.get()
    assert attempt.attempt_time == locked_at
    assert attempt.failures_since_start == limit


@pytest.mark.parametrize("route", ROUTES, ids=route_ids)
def test_a_successful_sign_in_clears_the_users_failures(route, limit):
    make_user("alice")
    client = APIClient()
    fail(route, client, "alice", limit - 1)

    assert route.outcome(route.attempt(client, "alice", PASSWORD)) == "accepted"
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert fail(route, client, "alice", limit - 1) == ["rejected"] * (limit - 1)


def test_signing_in_to_ones_own_account_does_not_clear_guesses_at_another(limit):
    route = ROUTES[2]
    make_user("victim")
    make_user("mallory")
    client = APIClient()
    fail(route, client, "victim", limit - 1)

    assert route.outcome(route.attempt(client, "mallory", PASSWORD)) == "accepted"

    assert fail(route, client, "victim", 1) == ["locked out"]


def test_behind_a_proxy_the_lockout_is_per_forwarded_address(limit, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    route = ROUTES[2]
    make_user("alice")
    make_user("bob")
    client = APIClient()  # every request comes from the proxy, 127.0.0.1
    fail(route, client, "nobody", limit, HTTP_X_FORWARDED_FOR="198.51.100.1")

    # The proxy appends the address it saw: what a client writes before it is not trusted.
    spoofed = route.attempt(
        client, "bob", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.1"
    )
    neighbour = route.attempt(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert route.outcome(spoofed) == "locked out"
    assert route.outcome(neighbour) == "accepted"
    assert AccessAttempt.objects.get().ip_address == "198.51.100.1"


def test_without_proxies_the_forwarded_address_is_ignored(limit):
    route = ROUTES[2]
    make_user("bob")
    client = APIClient()
    fail(route, client, "nobody", limit, HTTP_X_FORWARDED_FOR="198.51.100.1")

    response = route.attempt(client, "bob", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert route.outcome(response) == "locked out"
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_a_forwarded_value_that_is_no_address_counts_against_the_connection(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    route = ROUTES[2]

    outcome = fail(route, APIClient(), "nobody", 1, HTTP_X_FORWARDED_FOR="not-an-address")

    assert outcome == ["rejected"]
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_a_username_longer_than_any_account_is_refused_before_sign_in():
    response = APIClient().post(reverse("api-token"), {"username": "x" * 151, "password": "pw"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"username": ["Ensure this field has no more than 150 characters."]}
    assert not AccessAttempt.objects.exists()


def test_staff_see_lockouts_in_the_admin(limit, staff):
    fail(ROUTES[2], APIClient(), "alice", limit)
    client = APIClient()
    client.force_login(staff)

    response = client.get(reverse("admin:axes_accessattempt_changelist"), {"locked_out": "yes"})

    assert response.status_code == HTTPStatus.OK
    rows = response.context["cl"].result_list
    assert [(row.username, row.failures_since_start) for row in rows] == [("alice", limit)]


def test_staff_unlock_a_user_in_the_admin(limit, staff):
    route = ROUTES[2]
    make_user("alice")
    fail(route, APIClient(), "alice", limit)
    client = APIClient()
    client.force_login(staff)
    attempt = AccessAttempt.objects.get()

    deleted = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert deleted.status_code == HTTPStatus.FOUND
    assert route.outcome(route.attempt(APIClient(), "alice", PASSWORD)) == "accepted"


def test_staff_unlock_a_user_with_a_management_command(limit, capsys):
    route = ROUTES[2]
    make_user("alice")
    fail(route, APIClient(), "alice", limit)

    call_command("axes_list_attempts")
    listed = capsys.readouterr().out
    call_command("axes_reset_username", "alice")

    assert listed.split() == ["127.0.0.1", "alice", str(limit)]
    assert "1 attempts removed." in capsys.readouterr().out
    assert route.outcome(route.attempt(APIClient(), "alice", PASSWORD)) == "accepted"


def test_retry_after_counts_down_to_the_recorded_end(limit, settings):
    route = ROUTES[2]
    fail(route, APIClient(), "alice", limit)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=10)
    )

    response = route.attempt(APIClient(), "alice", PASSWORD)

    assert 290 <= int(response["Retry-After"]) <= 300
    assert "try again in 5 minutes." in response.json()["detail"]


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (900, "15 minutes"),
    ],
)
def test_the_wait_is_said_in_words_rounded_up(seconds, words):
    assert in_words(seconds) == words
