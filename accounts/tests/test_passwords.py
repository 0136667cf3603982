"""Passwords hash with Argon2id at OWASP's cost; an older hash, or one made with Django's
own Argon2 parameters, is replaced the next time its user signs in."""

from http import HTTPStatus

import argon2
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.signin import PASSWORD
from watchlist import settings as production

pytestmark = pytest.mark.django_db

# OWASP's recommendation for Argon2id: 19 MiB, two passes, one lane.
OWASP = {"type": argon2.Type.ID, "memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}


def parameters(encoded):
    """What a stored hash was made with (its `argon2$` prefix removed)."""
    params = argon2.extract_parameters(encoded.removeprefix("argon2"))
    return {name: getattr(params, name) for name in OWASP}


def sign_in(username):
    return APIClient().post(reverse("api-token"), {"username": username, "password": PASSWORD})


def test_production_hashes_with_argon2id_at_owasps_cost(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS

    encoded = make_password(PASSWORD)

    assert encoded.startswith("argon2$argon2id$")
    assert parameters(encoded) == OWASP


def test_an_older_hash_is_upgraded_to_argon2_at_sign_in(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = get_user_model().objects.create(
        username="alice", password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )

    response = sign_in("alice")

    assert response.status_code == HTTPStatus.OK
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert parameters(user.password) == OWASP
    assert user.check_password(PASSWORD)


def test_a_hash_with_djangos_argon2_cost_verifies_and_is_rehashed_at_sign_in(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    djangos = Argon2PasswordHasher()
    made_before = djangos.encode(PASSWORD, djangos.salt())
    assert parameters(made_before)["memory_cost"] == 102_400  # 100 MiB
    user = get_user_model().objects.create(username="alice", password=made_before)

    response = sign_in("alice")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["token"]
    user.refresh_from_db()
    assert user.password != made_before
    assert parameters(user.password) == OWASP
    assert user.check_password(PASSWORD)
