"""Real servers on loopback: gunicorn running the project (or another WSGI app), each on its
own database, with the settings, users and static files they need.

Used by the server, browser, load and fault tests and by the benchmark (bench/run.py).
Everything here listens on 127.0.0.1 only and is stopped by whoever started it.
"""

import contextlib
import csv
import hashlib
import io
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from http import HTTPStatus
from http.client import HTTPConnection, HTTPException
from pathlib import Path

import psycopg
from django.conf import settings
from django_ratelimit.core import _get_window

from watchlist.observability import gunicorn_setup

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None):
    """GET a URL: (status, headers, body), whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# The local Redis server of the tests that need one. Other runs and other programs may use
# it at the same time: a test keeps to keys under a prefix of its own (the settings'
# DJANGO_CACHE_KEY_PREFIX, a cache's KEY_PREFIX) and deletes only those, never a database.
LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def new_key_prefix(what="test"):
    return f"watchlist-{what}-{uuid.uuid4().hex}"


def delete_keys(client, prefix):
    """Delete the keys under `prefix` (as Django's caches make them: `prefix:version:key`)
    with a redis-py client; returns how many."""
    assert prefix, "only keys under a prefix of one's own are deleted"
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    return client.delete(*keys) if keys else 0


# Load tests and the benchmark send thousands of writes as one user: the limit stays on, as
# shipped, counting every write, at a rate that none of them reaches.
UNREACHED_WRITE_LIMIT = "1000000/min"


def server_env(database_url, tmp_path, **extra):
    """Production settings (debug off, limits on) with a fresh key, on the given database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "WEB_CONCURRENCY", "PROMETHEUS_")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="watchlist.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_HTTPS="0",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        WATCHLIST_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=database_url,
        DJANGO_THROTTLE_WRITES=UNREACHED_WRITE_LIMIT,
    )
    env.update(extra)
    return env


def manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=timeout,
        capture_output=True,
        text=True,
    ).stdout


def create_api_user(env, username="loadtester"):
    """A user and its token in the server's database; returns the token key."""
    return create_api_user_with_id(env, username)[1]


def create_api_user_with_id(env, username):
    """A user and its token in the server's database: (the user's id, the token key)."""
    code = (
        "from django.contrib.auth import get_user_model;"
        "from accounts.tokens import issue_token;"
        f"u = get_user_model().objects.create_user({username!r});"
        "print(u.pk, issue_token(u)[1])"
    )
    output = manage(env, "shell", "--verbosity", "0", "-c", code)
    pk, token = output.strip().splitlines()[-1].split()
    return int(pk), token


# A rate limit counts in fixed windows whose ends are spread per client (django-ratelimit's
# `_get_window`, for the key watchlist/throttles.py counts the client under): a test that must
# see exactly N pass takes a client whose window does not end while it runs.


def seconds_left_in_window(client_key, period):
    return _get_window(client_key, period) - time.time()


def user_with_time_left_in_window(env, period, seconds, prefix="limited"):
    """The token of a new user whose window of `period` seconds ends no sooner than
    `seconds` from now."""
    for n in range(5):
        pk, token = create_api_user_with_id(env, f"{prefix}{n}")
        if seconds_left_in_window(f"user:{pk}", period) > seconds:
            return token
    raise AssertionError("no user with a window long enough")


def address_with_time_left_in_window(period, seconds):
    """A loopback address (a client's, with ApiClient's `source_address`) whose window of
    `period` seconds ends no sooner than `seconds` from now."""
    for n in range(2, 50):
        address = f"127.0.0.{n}"
        if seconds_left_in_window(f"address:{address}", period) > seconds:
            return address
    raise AssertionError("no address with a window long enough")


SHIPPED = ("-c", "watchlist/gunicorn.conf.py")  # gthread workers, as the container runs it


class Gunicorn:
    """One gunicorn master, bound to a free loopback port (or `port`), serving `app` with
    `options` (the project's config by default) and `workers` (None: as many as the
    config says), live once `ready_path` answers 200."""

    def __init__(
        self,
        env,
        log_path,
        workers=2,
        *,
        options=SHIPPED,
        app="watchlist.wsgi",
        python=sys.executable,
        cwd=BASE_DIR,
        ready_path="/healthz",
        port=None,
        wait=True,
    ):
        self.port = port or free_port()  # a replacement takes its predecessor's port
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log_path = log_path
        self.log = log_path.open("w")
        command = [python, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{self.port}"]
        if workers:
            command += ["--workers", str(workers)]
        self.process = subprocess.Popen(
            [*command, app],
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a signal to it reaches no test
        )
        if wait:  # else the caller waits, after starting others meanwhile
            self.wait_until_live(ready_path)

    def wait_until_live(self, path, seconds=60):
        deadline = time.monotonic() + seconds
        while True:
            with contextlib.suppress(OSError):
                if fetch(f"{self.url}{path}")[0] == HTTPStatus.OK:
                    return
            assert self.process.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, f"gunicorn not live in {seconds} s"
            time.sleep(0.2)

    def wait_until_every_worker_live(self, path="/healthz"):
        """Until each worker has answered `path` itself: none is still loading the project."""
        workers = self.worker_pids()
        for worker in workers:
            with self.serving_only(worker):
                # Within gunicorn's worker timeout (30 s): the master would replace a booted
                # worker stopped longer than that.
                self.wait_until_live(path, seconds=20)
        assert self.worker_pids() == workers, "a worker was replaced meanwhile"

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    @contextlib.contextmanager
    def serving_only(self, worker):
        """New connections go to `worker` alone: the others are stopped (SIGSTOP) meanwhile,
        so a stopped worker cannot accept one. For a few requests: a worker stopped past the
        gunicorn timeout would be replaced."""
        others = [pid for pid in self.worker_pids() if pid != worker]
        for pid in others:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in others:
                os.kill(pid, signal.SIGCONT)

    def stop(self):
        """SIGTERM to the master, as a container platform stops it, and wait for the exit."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        self.log.close()
        return self.process.returncode

    def kill(self):
        """SIGKILL to the master and its workers at once (the whole process group), as
        when a machine or container dies; returns once the master is gone."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        # A container's /dev/shm goes with it; here the master's metrics directory would
        # stay, and a later master given the same pid would find two. (Removed before the
        # wait: until then no other process can be given the pid.)
        for directory in gunicorn_setup.private_directories(self.process.pid):
            shutil.rmtree(directory, ignore_errors=True)
        self.process.wait(timeout=60)
        self.log.close()
        return self.process.returncode


HAPROXY_CONFIG = BASE_DIR / "deploy" / "haproxy" / "haproxy.cfg"
# Debian installs it in /usr/sbin, which a user's PATH may lack.
HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")


# One request in HAProxy's HTTP log format: client [date] frontend backend/server timers
# status bytes cookies termination-state connections queues "request line".
HTTP_LOG_LINE = re.compile(
    r"^\S+ \[[^\]]+\] \S+ [^/\s]+/(?P<server>\S+) \S+ (?P<status>-?\d+) \S+ \S+ \S+"
    r' (?P<termination>\S{4}) \S+ \S+ "(?P<method>[A-Z]+) ',
    re.MULTILINE,
)


class HAProxy:
    """Debian's HAProxy in front of `servers` ({name: port} on loopback), with the shipped
    example configuration (deploy/haproxy/haproxy.cfg): the same settings, but listening
    on a free loopback port, its runtime API on a socket in `tmp_path`, and health checks
    every `check_interval` instead of seconds apart."""

    BACKEND = "watchlist"
    OPERATIONAL = {"0": "DOWN", "1": "STARTING", "2": "UP", "3": "STOPPING"}

    def __init__(self, servers, tmp_path, check_interval="100ms"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.socket_path = tmp_path / "haproxy.sock"
        self.config_path = tmp_path / "haproxy.cfg"
        self.config_path.write_text(self.config(servers, check_interval))
        subprocess.run([HAPROXY, "-c", "-q", "-f", str(self.config_path)], check=True, timeout=30)
        self.log_path = tmp_path / "haproxy.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(self.config_path)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until(lambda states: all(s == "UP" for s in states.values()), "servers up")

    def config(self, servers, check_interval):
        """The example's lines, but for its addresses and its servers, which `servers`
        replace (each with faster checks, which override the example's defaults)."""
        timing = f"inter {check_interval} fastinter {check_interval} downinter {check_interval}"
        ours = [f"    server {name} 127.0.0.1:{port} {timing}" for name, port in servers.items()]
        lines = []
        for line in HAPROXY_CONFIG.read_text().splitlines():
            setting = line.split()
            if setting[:1] == ["bind"]:
                line = f"    bind 127.0.0.1:{self.port}"
            elif setting[:2] == ["stats", "socket"]:
                line = f"    stats socket {self.socket_path} mode 600 level admin"
            elif setting[:1] == ["server"]:
                lines += ours
                ours = []
                continue
            lines.append(line)
        return "\n".join(lines) + "\n"

    def command(self, text):
        """One runtime API command; its answer."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(10)
            sock.connect(str(self.socket_path))
            sock.sendall(text.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def set_state(self, server, state):
        """`ready`, `drain` (no new requests; checks go on) or `maint`."""
        answer = self.command(f"set server {self.BACKEND}/{server} state {state}")
        assert not answer.strip(), answer

    def stats(self):
        """Each server's row of `show stat` (status, scur = current sessions, wretr...)."""
        text = self.command("show stat").removeprefix("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {
            row["svname"]: row
            for row in rows
            if row["pxname"] == self.BACKEND and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def client_connections(self):
        """How many client connections are open (the frontend's `scur`)."""
        text = self.command("show stat").removeprefix("# ")
        (row,) = [r for r in csv.DictReader(io.StringIO(text)) if r["svname"] == "FRONTEND"]
        return int(row["scur"])

    def requests_logged(self):
        """Each request in HAProxy's log (`option httplog`), in the order they ended: its
        server, status, termination state ("----": normal; "SD--": the server closed the
        connection mid-answer; "SH--": before its headers) and method. Read once every
        client has closed its connection: a request is logged as it ends, before that."""
        self.wait_until(lambda open_: open_ == 0, "clients gone", of=self.client_connections)
        return [match.groupdict() for match in HTTP_LOG_LINE.finditer(self.log_path.read_text())]

    def health(self):
        """Each server's operational state as the health checks see it: UP, DOWN..."""
        lines = self.command(f"show servers state {self.BACKEND}").splitlines()
        header = lines[1].removeprefix("# ").split()
        rows = [dict(zip(header, line.split(), strict=False)) for line in lines[2:] if line]
        return {row["srv_name"]: self.OPERATIONAL[row["srv_op_state"]] for row in rows}

    def wait_until(self, condition, what, seconds=60, of=None):
        """Until `condition(health())` holds (or `condition(of())`): HAProxy has no way to
        announce a change, so its state is read every 50 ms."""
        of = of or self.health
        deadline = time.monotonic() + seconds
        while not self.socket_path.exists() or not condition(of()):
            assert self.process.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, f"HAProxy: not {what} in {seconds} s"
            time.sleep(0.05)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()


class ApiClient:
    """A keep-alive HTTP client for one thread: (status, parsed JSON or None) per call;
    from `source_address` (another loopback address, another client) when given."""

    def __init__(self, base_url, token=None, timeout=15, source_address=None):
        self.host, self.port = base_url.removeprefix("http://").split(":")
        self.timeout = timeout
        self.source_address = (source_address, 0) if source_address else None
        self.headers = {"Authorization": f"Token {token}"} if token else {}
        self.connection = None

    def request(self, method, path, body=None):
        if self.connection is None:
            self.connection = HTTPConnection(
                self.host, int(self.port), timeout=self.timeout, source_address=self.source_address
            )
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, payload, headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, HTTPException):
            self.close()
            raise
        if response.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            # A new connection for the next request: HAProxy closes the connection after an
            # answer of its own (a 502 when an instance died), without saying so in the
            # answer; a request sent on it would fail without ever reaching HAProxy.
            self.close()
        content_type = response.getheader("Content-Type", "")
        data = json.loads(raw) if raw and content_type.startswith("application/json") else None
        return response.status, data, response

    def close(self):
        """Close the connection, if one is open; the next request opens another."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def all_movies(self):
        movies, page = [], 1
        while True:
            status, data, _ = self.request("GET", f"/api/?page_size=1000&page={page}")
            if status == HTTPStatus.NOT_FOUND:
                return movies
            assert status == HTTPStatus.OK, (status, data)
            movies.extend(data)
            if len(data) < 1000:
                return movies
            page += 1


def fresh_database_url(tmp_path, backend=None):
    """A new, empty database: on the backend the suite runs on unless `backend` is given.

    Returns (url, cleanup or None). PostgreSQL databases are created on the suite's server,
    or in the SQLite pass on POSTGRES_URL's server (default: the local one).
    """
    database = settings.DATABASES["default"]
    on_postgres = database["ENGINE"] == "django.db.backends.postgresql"
    backend = backend or ("postgres" if on_postgres else "sqlite")
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'live-{uuid.uuid4().hex[:8]}.sqlite3'}", None
    if on_postgres:
        server = postgres_url(database, "postgres")
    else:
        server = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        server = server.rsplit("/", 1)[0] + "/postgres"
    return create_postgres_database(server)


def create_postgres_database(server, prefix="watchlist_live"):
    """A new database on the server of `server` (a URL to one of its databases).

    Returns (url, cleanup), cleanup dropping it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}", lambda: drop_postgres_database(server, name)


def postgres_url(database, name):
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST']}:{database['PORT'] or 5432}/{name}"


def drop_postgres_database(server, name):
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_binaries():
    """The directory of Debian's PostgreSQL server binaries, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found and shutil.which("runuser") else None


def shipped_server(tmp_path, *setup_code, **settings):
    """gunicorn as the project ships (debug off, collected static files) on a new SQLite
    file with the sample films; each `setup_code` runs in `manage.py shell` first.
    `settings` are more environment variables (DJANGO_CORS_ALLOWED_ORIGINS=...)."""
    env = server_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, **settings)
    env["DJANGO_STATIC_ROOT"] = str(collected_static(env))
    manage(env, "migrate", "-v0")
    manage(env, "load_sample_movies", "-v0")
    for code in setup_code:
        manage(env, "shell", "-v0", "-c", code)
    return Gunicorn(env, tmp_path / "gunicorn.log")


STATIC_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "watchlist"


def collected_static(env):
    """What `collectstatic` writes (compressed and hashed files; half a minute of work),
    made once for each set of inputs and kept: the pinned packages whose files it collects,
    the settings that choose how, the project's own static files and templates."""
    target = STATIC_CACHE / f"static-{static_inputs_digest()}"
    if not (target / "staticfiles.json").exists():
        building = target.with_name(f"{target.name}.{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        manage({**env, "DJANGO_STATIC_ROOT": str(building)}, "collectstatic", "--noinput", "-v0")
        shutil.rmtree(target, ignore_errors=True)
        building.rename(target)
    return target


def static_inputs_digest():
    digest = hashlib.sha256(platform.python_version().encode())
    inputs = [BASE_DIR / "requirements.txt", BASE_DIR / "watchlist" / "settings.py"]
    for app in ("movies", "watchlist"):
        for folder in ("static", "templates"):
            found = (BASE_DIR / app / folder).rglob("*")
            inputs += sorted(path for path in found if path.is_file())
    for path in inputs:
        digest.update(str(path.relative_to(BASE_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
