"""Real servers on loopback: gunicorn running the project (or another WSGI app), each on its
own database, with the settings, users and static files they need.

Used by the server, browser, load and fault tests and by the benchmark (bench/run.py).
Everything here listens on 127.0.0.1 only and is stopped by whoever started it.
"""

import contextlib
import hashlib
import json
import os
import platform
import secrets
import shutil
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


# Load tests and the benchmark send thousands of writes as one user: the limit stays on, as
# shipped, counting every write, at a rate that none of them reaches.
UNREACHED_WRITE_LIMIT = "1000000/min"


def server_env(database_url, tmp_path, **extra):
    """Production settings (debug off, limits on) with a fresh key, on the given database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "WEB_CONCURRENCY"))
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
    code = (
        "from django.contrib.auth import get_user_model;"
        "from rest_framework.authtoken.models import Token;"
        f"u = get_user_model().objects.create_user({username!r});"
        "print(Token.objects.create(user=u).key)"
    )
    return manage(env, "shell", "--verbosity", "0", "-c", code).strip().splitlines()[-1]


SHIPPED = ("-c", "watchlist/gunicorn.conf.py")  # gthread workers, as the container runs it


class Gunicorn:
    """One gunicorn master, bound to a free loopback port, serving `app` with `options`
    (the project's config by default), live once `ready_path` answers 200."""

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
    ):
        self.port = free_port()
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

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        self.log.close()
        return self.process.returncode


class ApiClient:
    """A keep-alive HTTP client for one thread: (status, parsed JSON or None) per call."""

    def __init__(self, base_url, token=None, timeout=15):
        self.host, self.port = base_url.removeprefix("http://").split(":")
        self.timeout = timeout
        self.headers = {"Authorization": f"Token {token}"} if token else {}
        self.connection = None

    def request(self, method, path, body=None):
        if self.connection is None:
            self.connection = HTTPConnection(self.host, int(self.port), timeout=self.timeout)
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
            self.connection.close()
            self.connection = None
            raise
        content_type = response.getheader("Content-Type", "")
        data = json.loads(raw) if raw and content_type.startswith("application/json") else None
        return response.status, data, response

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
    name = f"watchlist_live_{uuid.uuid4().hex[:12]}"
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
