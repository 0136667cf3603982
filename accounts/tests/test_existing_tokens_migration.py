"""Tokens made before tokens were hashed keep working, their plain copies are gone, and the
migration says it cannot be undone. (The rollout, with the previous release still serving,
is test_token_migration_rollout.py.)"""

import secrets
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.tests.test_no_token_in_dumps import sql_dump

pytestmark = pytest.mark.django_db(transaction=True)  # migrations change the schema

MIGRATION = ("accounts", "0001_hash_existing_tokens")
OLD_TABLE = "authtoken_token"


@pytest.fixture
def before_the_migration():
    """The database as the release before had it: the migration not applied (it cannot be
    reversed, and changes no schema, so it is only marked unapplied), and a way to add DRF's
    authtoken table with tokens in it. Leaves no table or record behind."""
    recorder = MigrationRecorder(connection)
    recorder.record_unapplied(*MIGRATION)

    def with_drf_tokens(user, *keys):
        with connection.cursor() as cursor:
            cursor.execute(
                f'CREATE TABLE "{OLD_TABLE}" ("key" varchar(40) NOT NULL PRIMARY KEY, '
                '"created" timestamp NOT NULL, "user_id" integer NOT NULL)'
            )
            for key in keys:
                cursor.execute(
                    f'INSERT INTO "{OLD_TABLE}" VALUES (%s, %s, %s)',  # noqa: S608
                    [key, timezone.now(), user.pk],
                )
        recorder.record_applied("authtoken", "0004_alter_tokenproxy_options")

    yield with_drf_tokens
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{OLD_TABLE}"')
    recorder.migration_qs.filter(app="authtoken").delete()
    if MIGRATION not in recorder.applied_migrations():
        recorder.record_applied(*MIGRATION)


def migrate():
    MigrationExecutor(connection).migrate([MIGRATION])


def old_table_rows():
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{OLD_TABLE}"')  # noqa: S608
        return cursor.fetchall()


def test_a_token_made_before_hashing_keeps_working(before_the_migration, user, settings):
    old_key = secrets.token_hex(20)  # DRF's format: 40 hex characters
    before_the_migration(user, old_key)
    before = timezone.now()

    migrate()

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


def test_no_plain_token_is_left_in_the_database(before_the_migration, user):
    old_keys = [secrets.token_hex(20) for _ in range(3)]
    before_the_migration(user, *old_keys)

    migrate()

    assert old_table_rows() == []
    dump = sql_dump()
    assert not [key for key in old_keys if key in dump]
    assert AuthToken.objects.count() == len(old_keys)


def test_the_migration_does_nothing_where_there_were_no_tokens(before_the_migration):
    migrate()

    assert not AuthToken.objects.exists()
    assert OLD_TABLE not in connection.introspection.table_names()
    assert MIGRATION in MigrationRecorder(connection).applied_migrations()


def test_the_migration_refuses_to_be_reversed(user):
    with pytest.raises(IrreversibleError, match="restore a backup taken before this migration"):
        MigrationExecutor(connection).migrate([(MIGRATION[0], None)])

    assert MIGRATION in MigrationRecorder(connection).applied_migrations()
