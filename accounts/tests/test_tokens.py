"""API tokens: issued once over the API or by command, stored as digests, expiring,
revocable one or all at a time; checked with one indexed query."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.signals import token_expired
from rest_framework.test import APIClient, APIRequestFactory

from accounts.authentication import HashedTokenAuthentication
from accounts.tests.signin import PASSWORD
from accounts.tokens import issue_token
from watchlist.prepared import stored_fields

pytestmark = pytest.mark.django_db

NEW_FILM = {"title": "Memento", "release_date": "2000-10-11"}


def no_films():
    """Whether the films API lists none (a refused write wrote nothing)."""
    return APIClient().get(reverse("movie-list")).json() == []


def client_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def write_with(token):
    return client_with(token).post(reverse("movie-list"), NEW_FILM, format="json")


def assert_refused(response, detail):
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"detail": detail}
    assert response["WWW-Authenticate"] == "Token"


def test_the_token_endpoint_issues_a_token_shown_once(user, settings):
    before = timezone.now()

    response = APIClient().post(
        reverse("api-token"), {"username": "viewer", "password": PASSWORD}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert set(body) == {"token", "expiry"}
    token = body["token"]
    assert len(token) == 64
    assert int(token, 16) >= 0
    stored = AuthToken.objects.get(user=user)
    assert stored.digest == hash_token(token)
    assert stored.token_key == token[:15]
    assert parse_datetime(body["expiry"]) == stored.expiry
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert before + ttl <= stored.expiry <= timezone.now() + ttl
    assert write_with(token).status_code == HTTPStatus.CREATED


def test_each_request_issues_a_new_token(user):
    client = APIClient()
    credentials = {"username": "viewer", "password": PASSWORD}

    first = client.post(reverse("api-token"), credentials).json()["token"]
    second = client.post(reverse("api-token"), credentials).json()["token"]

    assert first != second
    assert AuthToken.objects.filter(user=user).count() == 2
    assert write_with(first).status_code == write_with(second).status_code == HTTPStatus.CREATED


def test_the_default_lifetime_is_thirty_days(settings):
    assert settings.REST_KNOX["TOKEN_TTL"] == timedelta(days=30)


def test_an_expired_token_is_refused(user):
    auth_token, token = issue_token(user)
    AuthToken.objects.filter(pk=auth_token.pk).update(expiry=timezone.now())

    response = write_with(token)

    assert_refused(response, "Token has expired.")
    assert no_films()


def test_an_expired_token_is_deleted_and_announced_as_knox_does(user):
    auth_token, token = issue_token(user)
    AuthToken.objects.filter(pk=auth_token.pk).update(expiry=timezone.now())
    announced = []

    def receiver(**kwargs):
        announced.append(kwargs)

    token_expired.connect(receiver)
    try:
        response = write_with(token)
    finally:
        token_expired.disconnect(receiver)

    assert_refused(response, "Token has expired.")
    assert not AuthToken.objects.filter(pk=auth_token.pk).exists()
    assert [(a["username"], a["source"]) for a in announced] == [("viewer", "auth_token")]


def test_knox_auto_refresh_extends_a_used_token(user, settings):
    auth_token, token = issue_token(user)
    soon = timezone.now() + timedelta(minutes=5)
    AuthToken.objects.filter(pk=auth_token.pk).update(expiry=soon)
    settings.REST_KNOX = {**settings.REST_KNOX, "AUTO_REFRESH": True}
    before = timezone.now()

    assert write_with(token).status_code == HTTPStatus.CREATED

    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert AuthToken.objects.get(pk=auth_token.pk).expiry >= before + ttl


def test_the_token_found_holds_every_field_of_its_row(user):
    auth_token, token = issue_token(user)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token}")

    found_user, found_token = HashedTokenAuthentication().authenticate(request)

    stored = AuthToken.objects.select_related("user").get(pk=auth_token.pk)
    for field in stored_fields(AuthToken):
        assert getattr(found_token, field.attname) == getattr(stored, field.attname), field
    for field in stored_fields(type(found_user)):
        assert getattr(found_user, field.attname) == getattr(stored.user, field.attname), field


def test_a_token_without_expiry_never_expires(user, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": None}

    auth_token, token = issue_token(user)

    assert auth_token.expiry is None
    assert write_with(token).status_code == HTTPStatus.CREATED


def test_issuing_a_token_deletes_the_users_expired_ones(user):
    expired, _ = issue_token(user)
    live, _ = issue_token(user)
    AuthToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    issue_token(user)

    assert AuthToken.objects.filter(user=user).count() == 2
    assert AuthToken.objects.filter(pk=live.pk).exists()


def test_revoking_a_token_refuses_it_and_keeps_the_others(user):
    _, revoked = issue_token(user)
    _, kept = issue_token(user)

    response = client_with(revoked).post(reverse("api-token-revoke"))

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert_refused(write_with(revoked), "Invalid token.")
    assert write_with(kept).status_code == HTTPStatus.CREATED


def test_revoking_all_tokens_refuses_every_one(user):
    tokens = [issue_token(user)[1] for _ in range(3)]

    response = client_with(tokens[0]).post(reverse("api-token-revoke-all"))

    assert response.status_code == HTTPStatus.NO_CONTENT
    for token in tokens:
        assert_refused(write_with(token), "Invalid token.")
    assert not AuthToken.objects.exists()


def test_a_browser_session_can_revoke_all_tokens(user):
    _, token = issue_token(user)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("movie-list"), HTTP_ACCEPT="text/html")

    response = client.post(
        reverse("api-token-revoke-all"), HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert_refused(write_with(token), "Invalid token.")


def test_revoking_needs_a_token(anon_client):
    response = anon_client.post(reverse("api-token-revoke"))

    assert_refused(response, "Authentication credentials were not provided.")


def test_a_token_of_another_length_or_alphabet_is_refused():
    assert_refused(write_with("not-a-token"), "Invalid token.")
    assert_refused(write_with("g" * 64), "Invalid token.")


def test_a_token_header_that_is_not_utf8_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token \udcff".encode("utf-8", "surrogateescape"))

    response = client.post(reverse("movie-list"), NEW_FILM, format="json")

    assert_refused(
        response, "Invalid token header. Token string should not contain invalid characters."
    )


def test_token_authentication_is_one_query(user, django_assert_num_queries):
    _, token = issue_token(user)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token}")

    with django_assert_num_queries(1) as captured:
        found_user, found_token = HashedTokenAuthentication().authenticate(request)

    assert found_user == user
    assert found_token.digest == hash_token(token)
    sql = captured.captured_queries[0]["sql"]
    assert '"knox_authtoken"."digest" =' in sql  # the primary key: an index lookup


def test_create_token_command_prints_a_working_token(user, capsys):
    call_command("create_token", "viewer")

    out, err = capsys.readouterr()
    token = out.strip()
    assert AuthToken.objects.get().digest == hash_token(token)
    assert err.startswith("Expires: ")
    assert write_with(token).status_code == HTTPStatus.CREATED


def test_create_token_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("create_token", "nobody")
    assert not AuthToken.objects.exists()


def test_revoke_tokens_command_revokes_all_of_a_users_tokens(user, capsys):
    tokens = [issue_token(user)[1] for _ in range(2)]

    call_command("revoke_tokens", "viewer")

    assert capsys.readouterr().out == "2 token(s) revoked.\n"
    assert_refused(write_with(tokens[0]), "Invalid token.")


def test_revoke_tokens_command_revokes_one_token(user, capsys):
    _, revoked = issue_token(user)
    _, kept = issue_token(user)

    call_command("revoke_tokens", "--token", revoked)

    assert capsys.readouterr().out == "1 token(s) revoked.\n"
    assert_refused(write_with(revoked), "Invalid token.")
    assert write_with(kept).status_code == HTTPStatus.CREATED
    with pytest.raises(CommandError, match="No such token"):
        call_command("revoke_tokens", "--token", revoked)


def test_revoke_tokens_command_deletes_expired_tokens(user, capsys):
    expired, _ = issue_token(user)
    issue_token(user)
    AuthToken.objects.filter(pk=expired.pk).update(expiry=timezone.now())

    call_command("revoke_tokens", "--expired")

    assert capsys.readouterr().out == "1 token(s) revoked.\n"
    assert AuthToken.objects.count() == 1


def test_revoke_tokens_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("revoke_tokens", "nobody")


def test_the_admin_lists_tokens_by_prefix_never_in_full(user, staff):
    _, token = issue_token(user)
    client = APIClient()
    client.force_login(staff)

    response = client.get(reverse("admin:knox_authtoken_changelist"))

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert hash_token(token) in content
    assert token not in content


def test_token_authentication_gives_the_user_and_its_token(user):
    token, key = issue_token(user)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {key}")

    found_user, found_token = HashedTokenAuthentication().authenticate(request)

    assert found_user == user
    assert found_user.last_login == user.last_login
    assert found_user.date_joined == user.date_joined
    assert found_token == token
    assert found_token.created == token.created
    assert found_token.expiry == token.expiry
    assert found_token.token_key == key[:15]
    assert found_token.user is found_user


def test_token_of_an_inactive_user_is_refused(anon_client, user):
    _, key = issue_token(user)
    user.is_active = False
    user.save()
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = anon_client.post(reverse("movie-list"), NEW_FILM, format="json")

    assert_refused(response, "User inactive or deleted.")
    assert no_films()
