"""Tokens made before tokens were hashed keep working, and their plain copies are gone."""

import secrets
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db(transaction=True)  # migrations change the schema

MIGRATION = ("accounts", "0001_hash_existing_tokens")


def drf_token_table_with(key, user):
    """DRF's authtoken table as the project had it, with one token."""
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, '
            '"created" timestamp NOT NULL, "user_id" integer NOT NULL)'
        )
        cursor.execute(
            'INSERT INTO "authtoken_token" VALUES (%s, %s, %s)', [key, timezone.now(), user.pk]
        )
    MigrationRecorder(connection).record_applied("authtoken", "0004_alter_tokenproxy_options")


def test_a_token_made_before_hashing_keeps_working(user, settings):
    MigrationExecutor(connection).migrate([(MIGRATION[0], None)])
    old_key = secrets.token_hex(20)  # DRF's format: 40 hex characters
    drf_token_table_with(old_key, user)
    before = timezone.now()

    MigrationExecutor(connection).migrate([MIGRATION])

    assert "authtoken_token" not in connection.introspection.table_names()
    assert not MigrationRecorder(connection).migration_qs.filter(app="authtoken").exists()
    stored = AuthToken.objects.get()
    assert (stored.user, stored.digest, stored.token_key) == (
        user,
        hash_token(old_key),
        old_key[:15],
    )
    assert stored.expiry >= before + settings.REST_KNOX["TOKEN_TTL"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    response = client.post(
        reverse("movie-list"), {"title": "Memento", "release_date": "2000-10-11"}, format="json"
    )
    assert response.status_code == HTTPStatus.CREATED


def test_the_migration_does_nothing_where_there_were_no_tokens():
    MigrationExecutor(connection).migrate([(MIGRATION[0], None)])

    MigrationExecutor(connection).migrate([MIGRATION])

    assert not AuthToken.objects.exists()
    assert MIGRATION in MigrationRecorder(connection).applied_migrations()
