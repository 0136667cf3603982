"""Passwords hash with Argon2; an older hash is replaced the next time its user signs in."""

from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.signin import PASSWORD
from watchlist import settings as production

pytestmark = pytest.mark.django_db


def test_production_hashes_with_argon2_first():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_an_older_hash_is_upgraded_to_argon2_at_sign_in(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = get_user_model().objects.create(
        username="alice", password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )

    response = APIClient().post(reverse("api-token"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == HTTPStatus.OK
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
