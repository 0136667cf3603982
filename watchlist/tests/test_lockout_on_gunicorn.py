"""The lockout on the real server: gunicorn with two workers, production settings, each
sign-in route. Failures recorded by one worker lock the other out too (the state is in the
database), the right password is refused until the cool-off has passed and accepted after
it, and only the guessed username and the guessing address are locked: by the connection's
address without proxies, by the forwarded one behind them. The cool-off is not waited out:
the test moves the recorded failures back in time past it, in the database, as the clock
would.

On SQLite, once (in `make test`): the state is a table like any other, and the PostgreSQL
pass runs the same rules in-process (accounts/tests/test_lockout.py).

Which worker answers is forced, not left to chance: while one serves, the other is stopped.
Clients sit at different loopback addresses (127.0.0.x) by binding their sockets there.
"""

import json
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.client import HTTPConnection
from urllib.parse import urlencode

import pytest

from watchlist.tests.live import Gunicorn, manage, server_env

pytestmark = pytest.mark.live  # starts servers: the full suite only (pyproject.toml)

FAILURES = 3
COOL_OFF = 900  # seconds; the test ages the failures past it instead of waiting
PASSWORD = "a-long-live-password"
LOCKED_OUT = b"Too many failed sign-in attempts"
USERS = ["admin-user", "browsable-user", "token-user", "bystander", "neighbour", "victim"]


class Client:
    """One client at one loopback address, with its own cookies. Each request opens a new
    connection, taken by whichever worker is serving at the time."""

    def __init__(self, server, address="127.0.0.1", forwarded_for=None):
        self.port, self.address, self.forwarded_for = server.port, address, forwarded_for
        self.cookies = {}

    def request(self, method, path, body=None, content_type=None):
        headers = {"Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        if content_type:
            headers["Content-Type"] = content_type
        connection = HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.address, 0)
        )
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, content


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    user: str  # whose password is guessed on this route
    address: str  # where the guesses come from (without proxies)

    @property
    def form(self):
        return self.path != "/api/auth/token/"

    def attempt(self, client, username, password):
        """'accepted', 'rejected' or 'locked out', checking the answer's form."""
        credentials = {"username": username, "password": password}
        if self.form:
            _, _, page = client.request("GET", self.path)
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
            body = urlencode({**credentials, "csrfmiddlewaretoken": token.decode()})
            status, headers, content = client.request(
                "POST", self.path, body, "application/x-www-form-urlencoded"
            )
            accepted, rejected = HTTPStatus.FOUND, HTTPStatus.OK
        else:
            status, headers, content = client.request(
                "POST", self.path, json.dumps(credentials), "application/json"
            )
            accepted, rejected = HTTPStatus.OK, HTTPStatus.BAD_REQUEST
        if status == accepted:
            return "accepted"
        if status == rejected:
            assert LOCKED_OUT not in content
            return "rejected"
        assert status == HTTPStatus.TOO_MANY_REQUESTS, (status, content[:300])
        assert LOCKED_OUT in content
        assert int(headers["Retry-After"]) > 0
        return "locked out"


ROUTES = [
    Route("admin", "/admin/login/", "admin-user", "127.0.0.2"),
    Route("browsable API", "/api/auth/login/", "browsable-user", "127.0.0.3"),
    Route("token endpoint", "/api/auth/token/", "token-user", "127.0.0.4"),
]
TOKEN_ROUTE = ROUTES[2]


def start_server(tmp_path, static_root, num_proxies):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = server_env(
        database_url,
        tmp_path,
        DJANGO_NUM_PROXIES=str(num_proxies),
        DJANGO_LOCKOUT_FAILURES=str(FAILURES),
        DJANGO_LOCKOUT_COOLOFF=str(COOL_OFF),
        # The per-address token throttle is a separate limit, tested elsewhere.
        DJANGO_THROTTLE_TOKEN="off",
    )
    env["DJANGO_STATIC_ROOT"] = str(static_root)
    manage(env, "migrate", "-v0")
    manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        f"for name in {USERS!r}:\n"
        f"    get_user_model().objects.create_user(name, password={PASSWORD!r}, is_staff=True)",
    )
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    server.wait_until_every_worker_live()  # the tests choose which worker answers
    assert len(server.worker_pids()) == 2
    return server, database_url


@pytest.fixture(scope="module")
def direct(tmp_path_factory, static_root):
    """Clients connect directly: their address is the connection's."""
    server, database_url = start_server(tmp_path_factory.mktemp("direct"), static_root, 0)
    yield server, database_url
    server.stop()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, static_root):
    """Behind one proxy at 127.0.0.1: the client's address is the forwarded one."""
    server, database_url = start_server(tmp_path_factory.mktemp("proxied"), static_root, 1)
    yield server, database_url
    server.stop()


def guess(server, route, client, username):
    """FAILURES wrong passwords, alternating between the two workers; then the right one
    on the worker that did not record the last failure."""
    workers = server.worker_pids()
    outcomes = []
    for n in range(FAILURES):
        with server.serving_only(workers[n % 2]):
            outcomes.append(route.attempt(client, username, "wrong"))
    with server.serving_only(workers[FAILURES % 2]):
        outcomes.append(route.attempt(client, username, PASSWORD))
    return outcomes


def attempts_recorded(database_url):
    """(username, address, failures, time of the last) per AccessAttempt row, in UTC."""
    sql = (
        "SELECT username, ip_address, failures_since_start, attempt_time "
        "FROM axes_accessattempt ORDER BY attempt_time"
    )
    with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as database:
        rows = database.execute(sql).fetchall()
    # Django stores datetimes in SQLite as UTC text.
    return [(*row[:3], datetime.fromisoformat(row[3]).replace(tzinfo=UTC)) for row in rows]


def age_the_failures_past_the_cool_off(database_url):
    """What the clock would do: every recorded failure moved back to a minute more than the
    cool-off ago (Django keeps datetimes in SQLite as UTC text)."""
    aged = datetime.now(UTC) - timedelta(seconds=COOL_OFF + 60)
    database = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    with closing(database), database:  # closed after the transaction commits
        changed = database.execute(
            "UPDATE axes_accessattempt SET attempt_time = ?",
            [aged.replace(tzinfo=None).isoformat(" ")],
        ).rowcount
    assert changed


def test_guessing_locks_each_route_across_workers_until_the_cool_off_ends(direct):
    server, database_url = direct
    guessers = {route: Client(server, route.address) for route in ROUTES}

    for route in ROUTES:
        client = guessers[route]
        assert guess(server, route, client, route.user) == ["rejected"] * (FAILURES - 1) + [
            "locked out",
            "locked out",
        ], route.name
        # Another user from the locked address is refused too; X-Forwarded-For is ignored
        # without proxies, so writing one in changes nothing.
        spoofing = Client(server, route.address, forwarded_for="198.51.100.7")
        assert route.attempt(spoofing, "neighbour", PASSWORD) == "locked out", route.name
        # Another user from another address is not affected.
        elsewhere = Client(server, "127.0.0.9")
        assert route.attempt(elsewhere, "bystander", PASSWORD) == "accepted", route.name

    recorded = {
        (user, address): failures for user, address, failures, _ in attempts_recorded(database_url)
    }
    assert recorded == {(route.user, route.address): FAILURES for route in ROUTES}

    for route in ROUTES:
        assert route.attempt(guessers[route], route.user, PASSWORD) == "locked out"

    age_the_failures_past_the_cool_off(database_url)

    for route in ROUTES:
        assert route.attempt(guessers[route], route.user, PASSWORD) == "accepted", route.name
    assert attempts_recorded(database_url) == []


def test_a_success_starts_the_count_again(direct):
    server, _ = direct
    client = Client(server, "127.0.0.5")
    workers = server.worker_pids()

    outcomes = []
    for round_ in range(2):
        for n in range(FAILURES - 1):
            with server.serving_only(workers[(n + round_) % 2]):
                outcomes.append(TOKEN_ROUTE.attempt(client, "victim", "wrong"))
        outcomes.append(TOKEN_ROUTE.attempt(client, "victim", PASSWORD))

    assert outcomes == (["rejected"] * (FAILURES - 1) + ["accepted"]) * 2


def test_behind_a_proxy_only_the_guessing_client_is_locked_out(proxied):
    server, database_url = proxied
    guesser = Client(server, forwarded_for="198.51.100.10")

    assert guess(server, TOKEN_ROUTE, guesser, "victim") == ["rejected"] * (FAILURES - 1) + [
        "locked out",
        "locked out",
    ]

    # The proxy appends the address it saw; what the client wrote before it is not trusted.
    spoofing = Client(server, forwarded_for="203.0.113.1, 198.51.100.10")
    colleague = Client(server, forwarded_for="198.51.100.20")
    assert TOKEN_ROUTE.attempt(spoofing, "neighbour", PASSWORD) == "locked out"
    assert TOKEN_ROUTE.attempt(colleague, "bystander", PASSWORD) == "accepted"
    # The username is locked whoever asks.
    assert TOKEN_ROUTE.attempt(colleague, "victim", PASSWORD) == "locked out"
    rows = attempts_recorded(database_url)
    assert [(user, address, failures) for user, address, failures, _ in rows] == [
        ("victim", "198.51.100.10", FAILURES)
    ]
