"""A copy of the database is no set of credentials: no dump holds a usable token."""

import io
import os
import shutil
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.signin import PASSWORD
from accounts.tokens import issue_token

pytestmark = pytest.mark.django_db(transaction=True)  # committed, for an outside pg_dump


@pytest.fixture
def tokens():
    """Tokens made every way there is: the API, the code the command uses."""
    user = get_user_model().objects.create_user("alice", password=PASSWORD)
    response = APIClient().post(reverse("api-token"), {"username": "alice", "password": PASSWORD})
    made = [response.json()["token"], issue_token(user)[1]]
    out = io.StringIO()
    call_command("create_token", "alice", stdout=out, stderr=io.StringIO())
    made.append(out.getvalue().strip())
    assert len(set(made)) == 3
    return made


def sql_dump():
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    database = connection.settings_dict
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed to dump the PostgreSQL test database"
    env = {**os.environ, "PGPASSWORD": database["PASSWORD"] or ""}
    command = [pg_dump, "--host", database["HOST"] or "localhost", "--username", database["USER"]]
    if database["PORT"]:
        command += ["--port", str(database["PORT"])]
    return subprocess.run(
        [*command, database["NAME"]], env=env, check=True, capture_output=True, text=True
    ).stdout


def assert_no_token_in(dump, tokens):
    for token in tokens:
        assert token not in dump
        # Only knox's 15-character prefix is stored in the clear; the secret rest is not.
        assert token[15:] not in dump


def test_dumpdata_holds_no_token(tokens):
    out = io.StringIO()

    call_command("dumpdata", stdout=out)

    assert '"model": "knox.authtoken"' in out.getvalue()
    assert_no_token_in(out.getvalue(), tokens)


def test_the_sql_dump_holds_no_token(tokens):
    dump = sql_dump()

    assert "knox_authtoken" in dump
    assert_no_token_in(dump, tokens)
