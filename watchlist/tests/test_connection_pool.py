"""PostgreSQL connections at scale: a real gunicorn never holds more server connections than
workers x DJANGO_DB_POOL_MAX_SIZE, however many threads and requests, and a request that gets
no connection in time answers 503 like any database outage.

The database is made slow on purpose: the test locks the films table, so every request that
reaches PostgreSQL holds its pooled connection until the lock goes. Runs in both passes, on
PostgreSQL (POSTGRES_URL's server in the SQLite pass).
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import psycopg
import pytest
from django.conf import settings

from watchlist.tests.live import (
    ApiClient,
    Gunicorn,
    create_api_user,
    fresh_database_url,
    manage,
    server_env,
)
from watchlist.tests.load import DEADLINE_SECONDS

WORKERS = 2
THREADS = 4
POOL_MAX = 2
BUDGET = WORKERS * POOL_MAX
REQUESTS = WORKERS * THREADS + 4  # more than the threads, so that some queue in gunicorn

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the connection pool is tested in the PostgreSQL pass",
    ),
]


@pytest.fixture
def pooled_server(tmp_path):
    url, cleanup = fresh_database_url(tmp_path)
    env = server_env(
        url,
        tmp_path,
        GUNICORN_THREADS=str(THREADS),
        DJANGO_DB_POOL_MAX_SIZE=str(POOL_MAX),
        DJANGO_DB_POOL_MIN_SIZE="1",
        DJANGO_DB_POOL_TIMEOUT="2",
        # A worker takes no more connections than it has threads, so that the requests
        # spread over both workers instead of queueing in whichever accepts first.
        GUNICORN_CMD_ARGS=f"--worker-connections={THREADS}",
    )
    manage(env, "migrate", "-v0")
    manage(env, "load_sample_movies", "-v0")
    token = create_api_user(env)
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=WORKERS)
    try:
        server.wait_until_every_worker_live()  # the requests are to spread over all of them
        yield server, token, url
    finally:
        server.stop()
        cleanup()


def app_connections(monitor, database):
    """The server's connections to the test database, and how many wait on a lock."""
    rows = monitor.execute(
        "SELECT count(*), count(*) FILTER (WHERE wait_event_type = 'Lock')"
        " FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
        " AND application_name <> 'pool-test'",
        (database,),
    ).fetchone()
    return rows[0], rows[1]


def test_connections_stay_within_the_pool_and_starved_requests_answer_503(pooled_server):
    server, token, url = pooled_server
    database = url.rsplit("/", 1)[1]
    answers = []
    answered = threading.Condition()
    most_connections = 0

    def get_films(_n):
        client = ApiClient(server.url, token=token, timeout=60)
        status, body, response = client.request("GET", "/api/?ordering=title")
        client.close()
        with answered:
            answers.append((status, body, response.getheader("Retry-After")))
            answered.notify_all()

    with (
        psycopg.connect(url, autocommit=True, application_name="pool-test") as monitor,
        psycopg.connect(url, application_name="pool-test") as locker,
    ):
        locker.execute("LOCK TABLE movies_movie IN ACCESS EXCLUSIVE MODE")
        with ThreadPoolExecutor(REQUESTS) as clients:
            calls = [clients.submit(get_films, n) for n in range(REQUESTS)]
            # Every request now either holds a pooled connection (waiting on the lock) or
            # times out waiting for one and answers: wait until all are accounted for.
            deadline = time.monotonic() + DEADLINE_SECONDS  # a safety stop, not a bound tested
            try:
                while True:
                    connections, waiting = app_connections(monitor, database)
                    assert time.monotonic() < deadline, (answers, connections, waiting)
                    most_connections = max(most_connections, connections)
                    with answered:
                        if len(answers) + waiting >= REQUESTS:
                            break
                        answered.wait(timeout=0.2)
                holders = waiting
                starved = list(answers)
            finally:
                locker.rollback()  # the lock goes; the held requests finish
            for call in calls:
                call.result()
        idle_connections, _ = app_connections(monitor, database)

    assert holders == BUDGET
    assert most_connections <= BUDGET
    assert idle_connections <= BUDGET
    assert len(starved) == REQUESTS - holders
    for status, body, retry_after in starved:
        assert status == HTTPStatus.SERVICE_UNAVAILABLE
        assert body == {"detail": "The database is unavailable; try again shortly."}
        assert retry_after == "5"
    served = answers[len(starved) :]
    assert len(served) == holders
    for status, body, _ in served:
        assert status == HTTPStatus.OK
        assert [film["title"] for film in body][:2] == ["Donnie Darko", "Fight Club"]
