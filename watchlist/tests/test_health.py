from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_liveness_answers_without_touching_the_database(client, path):
    # No django_db mark: pytest-django makes any database access here an error.
    response = client.get(path)

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readiness_checks_the_database(client):
    response = client.get("/readyz")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["watchlist.example.com"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_any_host_over_plain_http(client):
    for path in ["/healthz", "/readyz"]:
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")

        assert response.status_code == HTTPStatus.OK, path
        assert response.json()["status"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_readiness_is_503_while_migrations_are_pending(client):
    from watchlist.health import HealthCheckMiddleware

    call_command("migrate", "movies", "zero", verbosity=0)
    try:
        response = HealthCheckMiddleware(get_response=None).readiness()
    finally:
        call_command("migrate", "movies", verbosity=0)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert b'"status": "unavailable"' in response.content
    assert b"migrations not applied" in response.content


def redis_cache(url):
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


@pytest.mark.django_db
def test_readiness_checks_redis_when_the_limits_are_counted_there(client, local_redis_cache):
    with override_settings(CACHES=local_redis_cache):
        response = client.get("/readyz")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_is_503_when_redis_is_unreachable(client):
    from watchlist.tests.live import free_port

    with override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{free_port()}/0")):
        response = client.get("/readyz")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "unavailable", "detail": "cache unreachable"}
