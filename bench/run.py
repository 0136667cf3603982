"""Benchmark harness: this project against a bare-WSGI ceiling and the original Flask app.

    python bench/run.py [--reference DIR] [--rounds 3] [--duration 5] [--postgres URL]
                        [--only NAME,...]

    python bench/run.py --only import,export    # the import and export figures alone

Every server runs under gunicorn on 127.0.0.1 and is driven by wrk (2 threads, 16
connections) for a fixed time per scenario; rounds alternate the order of the servers and
the report takes the median. Results go to bench/results/ (Markdown, JSON and a PNG chart).

The title search and the writes beside its index run on SQLite and on PostgreSQL: each
PostgreSQL phase works in a database of its own on --postgres's server, dropped after. The
writes alternate, round by round, between the project as shipped and the same project on a
second database without the search index (`no_index`).

Import and export run once per backend, not per round (bench/imports_exports.py): a
100,000-row IMDb export through `manage.py import_films` into an empty database, beside
django-import-export's standard import of the same rows; the CSV export of 100,000 and of a
million films over HTTP and with `manage.py export_films`. `--only` chooses them by kind
(`import`, `export`) or by kind and backend (`import-sqlite`, `export-postgres`).
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import budget, imports_exports
from bench.films import COMMON_SEARCH, RARE_SEARCH
from bench.imports_exports import IMPORT_ROWS
from watchlist.tests.live import (
    UNREACHED_WRITE_LIMIT,
    Gunicorn,
    create_api_user,
    create_postgres_database,
    manage,
    server_env,
)

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
SCRIPTS = BENCH_DIR / "scripts"
RESULTS = BENCH_DIR / "results"
PYTHON = sys.executable
LIST_SIZES = (4, 10_000, 100_000)  # the chart's list latency
FLASK_MAX_FILMS = 10_000  # past this the Flask app's unpaginated list outlasts wrk's timeout
WATCH_POOL = 200
EDIT_POOL = 1000
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
BACKENDS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
SETUPS = ("shipped", "flask_setup", "bare", "flask")
# The hot reads are measured once more with the request metrics, the access line and JSON
# logs off (`unobserved`): what they cost.
OBSERVED_SETUPS = (*SETUPS, "unobserved")
WITHOUT_INDEX = ("shipped", "no_index")


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    films: int
    path: str = "/api/"
    script: str | None = None
    flask: bool = True  # whether the Flask app has this route
    backend: str = "sqlite"
    setups: tuple = SETUPS  # the servers that run it

    @property
    def phase(self):
        """Scenarios of one phase share a database and its servers."""
        return (self.backend, self.films)


SEARCHES = {
    "rare": (f"/api/?search={urllib.parse.quote(RARE_SEARCH)}", "one film"),
    "common": (f"/api/?search={COMMON_SEARCH}", "half the films"),
}
SEARCH_SIZES = {100_000: "100k", 1_000_000: "1m"}
WRITES = {
    "create": ("POST create", "/api/create/", "create.lua"),
    "edit": ("PATCH a title", "/api/", "edit.lua"),
    "delete": ("DELETE", "/api/", "delete.lua"),
}
WRITE_FILMS = 100_000
TRANSFERS = ("import", "export")  # measured once per backend: bench/imports_exports.py
EXPORT_SIZES = (100_000, 1_000_000)
IMPORT_TARGET_S = {"sqlite": 10, "postgres": 15}
IMPORT_MEMORY_TARGET_MB = 150
REFERENCE_RATIO_TARGET = 20
EXPORT_TARGET_S = 15
EXPORT_MEMORY_GROWTH_MB = 10  # the worker's peak at 1,000,000 films, over its peak at 100,000


def search_name(match, films, backend):
    return f"search-{match}-{SEARCH_SIZES[films]}-{backend}"


def write_name(write, backend):
    return f"{write}-{SEARCH_SIZES[WRITE_FILMS]}-{backend}"


def search_scenarios():
    """Searches at 100,000 and a million films, and the 4-film list they are measured by."""
    yield Scenario(
        "list-4-postgres",
        "GET the list, 4 films",
        4,
        flask=False,
        backend="postgres",
        setups=("shipped",),
    )
    for backend in BACKENDS:
        for films in SEARCH_SIZES:
            for match, (path, found) in SEARCHES.items():
                yield Scenario(
                    search_name(match, films, backend),
                    f"search, {match} text ({found}), {films:,} films",
                    films,
                    path,
                    flask=False,
                    backend=backend,
                    setups=("shipped",),
                )


def write_scenarios():
    """Creating, editing and deleting films at 100,000 films, with and without the index."""
    for backend in BACKENDS:
        for write, (title, path, script) in WRITES.items():
            yield Scenario(
                write_name(write, backend),
                f"{title}, {WRITE_FILMS:,} films",
                WRITE_FILMS,
                path,
                script,
                flask=False,
                backend=backend,
                setups=WITHOUT_INDEX,
            )


SCENARIOS = [
    Scenario("detail", "GET one film", 4, "/api/1/", setups=OBSERVED_SETUPS),
    Scenario("list-4", "GET the list, 4 films", 4, setups=OBSERVED_SETUPS),
    Scenario("detail-token", "GET one film, with a token", 4, "/api/1/", "token.lua", False),
    Scenario(
        "list-4-token", "GET the list, 4 films, with a token", 4, script="token.lua", flask=False
    ),
    Scenario("mixed", "mixed: 80% one film, 15% list, 5% create", 4, script="mixed.lua"),
    Scenario("create", "POST create", 4, "/api/create/", script="create.lua"),
    Scenario("watch", "watch + unwatch cycles", 4, script="watch_cycle.lua", flask=False),
    Scenario("list-10k", "GET the list's first page, 10,000 films", 10_000),
    Scenario("list-100k", "GET the list's first page, 100,000 films", 100_000),
    *search_scenarios(),
    *write_scenarios(),
]
MAIN_TABLE = [s for s in SCENARIOS if set(SETUPS) <= set(s.setups)]


@dataclass
class Server:
    """A running server of the comparison, with what the harness reads off its workers."""

    key: str
    label: str
    gunicorn: Gunicorn
    peak_rss_kb: dict = field(default_factory=dict)  # worker pid -> VmHWM

    @property
    def url(self):
        return self.gunicorn.url

    def cpu_ticks(self):
        ticks = 0
        for pid in self.gunicorn.worker_pids():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime + stime
        return ticks

    def record_memory(self):
        for pid in self.gunicorn.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
            self.peak_rss_kb[pid] = max(peak, self.peak_rss_kb.get(pid, 0))

    def stop(self):
        self.gunicorn.stop()


def log(message):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# --- Databases ----------------------------------------------------------------------------

# As the container ships (JSON logs) with metrics on, as a deployment that scrapes them runs.
OBSERVED = {"DJANGO_LOG_FORMAT": "json", "DJANGO_METRICS_TOKEN": secrets.token_urlsafe(32)}
# The same server with request metrics, the access line and JSON logs off.
UNOBSERVED = {"DJANGO_LOG_FORMAT": "text", "DJANGO_ACCESS_LOG": "0", "DJANGO_METRICS_TOKEN": ""}


def new_database(phase, backend, postgres_server):
    """A migrated, empty database of its own for the folder `phase`: its settings (as
    shipped) and a cleanup (or None)."""
    phase.mkdir()
    cleanup = None
    if backend == "postgres":
        url, cleanup = create_postgres_database(postgres_server, prefix="watchlist_bench")
    else:
        url = f"sqlite:///{phase / 'db.sqlite3'}"
    env = server_env(url, phase, **OBSERVED)
    manage(env, "migrate", "-v0")
    return env, cleanup


def project_database(work, backend, films, postgres_server, index=True):
    """A migrated database with the four sample films, then filler films up to `films`
    (bench/films.py), and without the search index if `index` is false.

    Returns the settings, a token, what the loader reported, and a cleanup (or None)."""
    phase = work / f"{backend}-{films}{'' if index else '-no-index'}"
    env, cleanup = new_database(phase, backend, postgres_server)
    manage(env, "loaddata", "movies", "-v0")
    loaded = {}
    if films > 4:
        output = manage(
            env, "shell", "-v0", "-c", f"from bench.films import load; load({films - 4})"
        )
        loaded = json.loads(output.strip().splitlines()[-1])
    if not index:
        manage(env, "shell", "-v0", "-c", DROP_INDEX)
    return env, create_api_user(env, "bench"), loaded, cleanup


DROP_INDEX = (
    "from django.db import connection; from movies.search_index import drop_search_index;"
    "drop_search_index(connection)"
)


def first_loaded_film(env):
    """The id of the first film after the four samples."""
    code = "from movies.models import Movie; print(Movie.objects.order_by('id')[4].id)"
    return int(manage(env, "shell", "-v0", "-c", code).split()[-1])


def add_watch_pool(env):
    """Films for the watch/unwatch scenario; returns the first id."""
    code = (
        "from datetime import date; from movies.models import Movie;"
        "Movie.objects.bulk_create(Movie(title=f'Pool {n}', release_date=date(2000, 1, 1))"
        f" for n in range({WATCH_POOL}));"
        "print(Movie.objects.order_by('-id').values_list('id', flat=True)"
        f"[{WATCH_POOL - 1}])"
    )
    return int(manage(env, "shell", "-v0", "-c", code).split()[-1])


class FlaskReference:
    """The original app from --reference DIR, with its own virtualenv and SQLite file."""

    def __init__(self, source, work):
        self.source = Path(source).resolve()
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        self.venv = cache / "watchlist-bench" / "flask-venv"
        requirements = self.source / "requirements.txt"
        stamp = self.venv / "requirements.txt"
        if not stamp.exists() or stamp.read_text() != requirements.read_text():
            log(f"Creating the Flask reference's virtualenv in {self.venv}")
            shutil.rmtree(self.venv, ignore_errors=True)
            subprocess.run([PYTHON, "-m", "venv", str(self.venv)], check=True)
            subprocess.run(
                [self.venv / "bin" / "pip", "install", "-q", "-r", requirements], check=True
            )
            shutil.copy(requirements, stamp)
        self.work = work

    def app_dir(self, films):
        app = self.work / f"flask-{films}"
        shutil.copytree(self.source, app)
        for path in [app, *app.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        subprocess.run([self.venv / "bin" / "python", "init_db.py"], cwd=app, check=True)
        if films > 4:
            with sqlite3.connect(app / "instance" / "default.db") as db:
                db.executemany(
                    "INSERT INTO movie (title, release_date, is_watched, watched_at)"
                    " VALUES (?, ?, ?, NULL)",
                    ((f"Film {n:06d}", "2000-01-01", 0) for n in range(films - 4)),
                )
        return app


# --- Servers ------------------------------------------------------------------------------


def servers_for(films, env, token, flask, phase, setups, unindexed_env=None):
    phase.mkdir()
    ready = "/api/1/"
    shipped = Server(
        "shipped",
        "watchlist, as shipped",
        Gunicorn(env, phase / "shipped.log", workers=None, ready_path=ready),
    )
    extra = []
    if "unobserved" in setups:
        extra.append(
            Server(
                "unobserved",
                "watchlist, as shipped, observability off (text logs, no access line, no metrics)",
                Gunicorn(
                    dict(env, **UNOBSERVED),
                    phase / "unobserved.log",
                    workers=None,
                    ready_path=ready,
                ),
            )
        )
    if unindexed_env:
        extra.append(
            Server(
                "no_index",
                "watchlist, as shipped, without the search index",
                Gunicorn(unindexed_env, phase / "no_index.log", workers=None, ready_path=ready),
            )
        )
    if not setups & {"flask_setup", "bare", "flask"}:
        return [shipped, *extra]
    bare_env = dict(env, BENCH_BARE_RESPONSES=str(record_responses(shipped, token, phase)))
    servers = [
        shipped,
        Server(
            "flask_setup",
            "watchlist, Flask's setup (gunicorn -w 2, sync)",
            Gunicorn(env, phase / "flask_setup.log", options=(), ready_path=ready),
        ),
        Server(
            "bare",
            "bare WSGI, Flask's setup (the ceiling)",
            Gunicorn(
                bare_env,
                phase / "bare.log",
                options=(),
                app="bench.bare_app:application",
                ready_path=ready,
            ),
        ),
    ]
    servers += extra
    if flask and "flask" in setups and films <= FLASK_MAX_FILMS:
        servers.append(
            Server(
                "flask",
                "Flask reference (gunicorn -w 2, sync)",
                Gunicorn(
                    dict(os.environ),
                    phase / "flask.log",
                    options=(),
                    app="app:app",
                    python=str(flask.venv / "bin" / "python"),
                    cwd=flask.app_dir(films),
                    ready_path=ready,
                ),
            )
        )
    return servers


def record_responses(server, token, phase):
    """The project's own answers, for the bare app to repeat byte for byte."""
    auth = {"Authorization": f"Token {token}"}

    def call(path, method="GET", data=None, headers=None):
        request = urllib.request.Request(
            f"{server.url}{path}", data=data, method=method, headers=headers or {}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read().decode()

    form = {"Content-Type": "application/x-www-form-urlencoded", **auth}
    responses = {
        "detail": call("/api/1/"),
        "list:": call("/api/"),
        "create": call("/api/create/", "POST", b"title=Benchmark&release_date=937353600", form),
        "watch": call("/api/1/watch/", "POST", b"", auth),
    }
    call("/api/1/unwatch/", "POST", b"", auth)
    path = phase / "bare-responses.json"
    path.write_text(json.dumps(responses))
    return path


# --- Load ---------------------------------------------------------------------------------


def wait_until_idle(servers, timeout=60):
    """Wait for every server to finish what a run left queued (a slow server goes on
    working after wrk stops), so that it does not steal CPU from the next run."""
    deadline = time.monotonic() + timeout
    before = [server.cpu_ticks() for server in servers]
    while time.monotonic() < deadline:
        time.sleep(0.3)
        after = [server.cpu_ticks() for server in servers]
        if all(b - a <= 2 for a, b in zip(before, after, strict=True)):
            return
        before = after


def run_wrk(server, scenario, seconds, extra_env):
    script = SCRIPTS / "report.lua"
    if scenario.script:
        combined = Path(tempfile.mkstemp(suffix=".lua")[1])
        combined.write_text((SCRIPTS / scenario.script).read_text() + script.read_text())
        script = combined
    env = dict(os.environ, **extra_env)
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c16",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"{server.url}{scenario.path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = dict(pair.split("=") for pair in re.search(r"BENCH (.*)", output).group(1).split())
    figures = {key: int(value) for key, value in figures.items()}
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def count_queries(env, token, names):
    code = (BENCH_DIR / "queries.py").read_text()
    output = manage(
        dict(env, BENCH_TOKEN=token, BENCH_SCENARIOS=",".join(names)), "shell", "-v0", "-c", code
    )
    return json.loads(output.strip().splitlines()[-1])


# --- Report -------------------------------------------------------------------------------


def median(runs, key):
    return statistics.median(run[key] for run in runs) if runs else None


def fmt(value, unit=""):
    if value is None:
        return "n/a"
    if unit == "ms":
        return f"{value / 1000:.2f}"
    return f"{value:,.0f}"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "n/a"


def build_report(results, machine, args):
    med = {
        name: {
            key: {stat: median(runs, stat) for stat in ("rps", "p50_us", "p99_us")}
            for key, runs in per_server.items()
        }
        for name, per_server in results["runs"].items()
    }
    results["medians"] = med

    def rps(name, key):
        return med.get(name, {}).get(key, {}).get("rps")

    lines = [
        f"Measured {machine['date']} on {machine['cpu']} ({machine['cores']} cores), "
        f"Python {machine['python']}; wrk -t2 -c16, {args.duration} s per run, median of "
        f"{args.rounds} rounds (server order alternating). The project runs as shipped: "
        f"rate limits on (writes counted at {UNREACHED_WRITE_LIMIT}, a rate the runs never "
        "reach), JSON logs with an access line, metrics on. Load average (1, 5, 15 min):"
        f" {machine_load(machine, 'load_average')} at the start,"
        f" {machine_load(machine, 'load_average_end')} at the end (on a shared machine"
        " figures move with it; compare ratios within one run).",
        "",
        "| scenario | as shipped | observability off | Flask setup | bare WSGI | Flask app "
        "| shipped / Flask | Flask setup / Flask | Flask setup / bare | p50 ms (shipped) "
        "| p99 ms (shipped) | queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in MAIN_TABLE:
        name = scenario.name
        shipped = med.get(name, {}).get("shipped", {})
        lines.append(
            f"| {scenario.title} | {fmt(rps(name, 'shipped'))} | {fmt(rps(name, 'unobserved'))}"
            f" | {fmt(rps(name, 'flask_setup'))}"
            f" | {fmt(rps(name, 'bare'))} | {fmt(rps(name, 'flask'))}"
            f" | {ratio(rps(name, 'shipped'), rps(name, 'flask'))}"
            f" | {ratio(rps(name, 'flask_setup'), rps(name, 'flask'))}"
            f" | {ratio(rps(name, 'flask_setup'), rps(name, 'bare'))}"
            f" | {fmt(shipped.get('p50_us'), 'ms')} | {fmt(shipped.get('p99_us'), 'ms')}"
            f" | {results['queries'].get(name, 'n/a')} |"
        )
    lines += [
        "",
        "Requests per second; the Flask app has no unwatch route, no filters or search,"
        f" and past {FLASK_MAX_FILMS:,} films its unpaginated list outlasts the 10 s timeout.",
        "",
        "| server | peak memory per worker (MiB) |",
        "|---|---:|",
    ]
    for key, label in results["labels"].items():
        if key not in SETUPS:
            continue
        peak = results["memory_kb"].get(key)
        lines.append(f"| {label} | {peak / 1024:.0f} |" if peak else f"| {label} | n/a |")
    lines += search_report(med, results)
    if "instructions" in results:
        lines += [
            "",
            "Instructions per request, counted in process (bench/budget.py), against the"
            " budgets CI enforces (bench/budgets.json, within"
            f" {results['budgets']['tolerance']:.0%}).",
            "",
            budget.table(results["instructions"], results["budgets"]["budgets"]),
        ]
    lines += transfer_report(results)
    lines += ["", "Targets:", ""]
    checks = [*targets(med, results["queries"], results["loads"]), *transfer_targets(results)]
    for text, ok, detail in checks:
        lines.append(f"- {'met' if ok else 'NOT met'}: {text} ({detail})")
    return "\n".join(lines) + "\n"


def search_report(med, results):
    """The title search by backend and size, the writes beside its index, the index itself."""

    def shipped(name, stat):
        return med.get(name, {}).get("shipped", {}).get(stat)

    def cells(name):
        return [
            fmt(shipped(name, "rps")),
            fmt(shipped(name, "p50_us"), "ms"),
            fmt(shipped(name, "p99_us"), "ms"),
        ]

    lines = [
        "",
        "Title search, as shipped: requests/s, p50 and p99 in ms, the 4-film list for scale.",
        "",
        "| GET | SQLite req/s | p50 | p99 | PostgreSQL req/s | p50 | p99 |",
        "|---|---:|---:|---:|---:|---:|---:|",
        "| the list, 4 films | " + " | ".join(cells("list-4") + cells("list-4-postgres")) + " |",
    ]
    for films in SEARCH_SIZES:
        for match, (path, found) in SEARCHES.items():
            row = [cells(search_name(match, films, backend)) for backend in BACKENDS]
            lines.append(
                f"| `{path.removeprefix('/api/')}` ({found}), {films:,} films | "
                + " | ".join(row[0] + row[1])
                + " |"
            )
    lines += [
        "",
        f"Writes at {WRITE_FILMS:,} films, as shipped, with the search index and without it"
        " (dropped in a second database): requests/s.",
        "",
        "| write | SQLite, index | no index | ratio | PostgreSQL, index | no index | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for write, (title, _, _) in WRITES.items():
        row = []
        for backend in BACKENDS:
            runs = med.get(write_name(write, backend), {})
            with_index = runs.get("shipped", {}).get("rps")
            without = runs.get("no_index", {}).get("rps")
            row += [fmt(with_index), fmt(without), ratio(with_index, without)]
        lines.append(f"| {title} | " + " | ".join(row) + " |")
    lines += [
        "",
        "Loading the films (bench/films.py: one bulk insert, then the index as the migration"
        " makes it) and the index's size.",
        "",
        "| database | films | insert s | index s | index MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for load in results["loads"]:
        if load["index_bytes"]:
            lines.append(
                f"| {BACKENDS[load['backend']]} | {load['films'] + 4:,} | {load['insert_s']}"
                f" | {load['index_s']} | {load['index_bytes'] / 2**20:.1f} |"
            )
    return lines


def machine_load(machine, key):
    return ", ".join(str(load) for load in machine[key]) if key in machine else "n/a"


def mib(kb):
    return f"{kb / 1024:,.0f}"


def seconds(run):
    """A measured process's wall time, and its own CPU time."""
    return f"{run['wall_s']:.1f} ({run['cpu_s']:.1f})" if run.get("status") is not None else "n/a"


def transfer_report(results):
    """Import and export, by backend (bench/imports_exports.py)."""
    imports, exports = results["imports"], results["exports"]
    lines = []
    if imports:
        rows = next(iter(imports.values()))["rows"]
        size = next(iter(imports.values()))["file_bytes"]
        cells = {name: [] for name in ("first", "memory", "again", "reference", "ref_memory")}
        cells.update(ratio=[], films=[])
        for backend in BACKENDS:
            found = imports.get(backend)
            if not found:
                for column in cells.values():
                    column.append("n/a")
                continue
            first, again, idle = found["first"], found["again"], found["idle"]
            reference = found["reference"]
            cells["first"].append(seconds(first))
            cells["memory"].append(
                f"{mib(first['peak_kb'])} (+{mib(first['peak_kb'] - idle['peak_kb'])})"
            )
            cells["again"].append(seconds(again))
            cells["reference"].append(
                seconds(reference)
                if reference["finished"]
                else f"unfinished after {reference['wall_s']:.0f}"
            )
            cells["ref_memory"].append(
                f"{mib(reference['peak_kb'])}"
                f" (+{mib(reference['peak_kb'] - reference['idle']['peak_kb'])})"
            )
            cells["ratio"].append(
                ratio(reference["wall_s"], first["wall_s"])
                + (" (CPU " + ratio(reference["cpu_s"], first["cpu_s"]) + ")")
                + ("" if reference["finished"] else " at least")
            )
            cells["films"].append(f"{first['films']:,} / {reference['films']:,}")
        titles = {
            "first": "`manage.py import_films FILE` into an empty database",
            "memory": "its peak memory, MiB (above the idle process)",
            "again": "the same file again, everything already there",
            "reference": "django-import-export, `ModelResource.import_data`, into an empty"
            " database",
            "ref_memory": "its peak memory, MiB (above its one-row run)",
            "ratio": "django-import-export's time / import_films's",
            "films": "films in the database after (import_films / django-import-export)",
        }
        lines += [
            "",
            f"Import: a {rows:,}-row IMDb list export ({size / 2**20:.0f} MiB, bench/imdb.py),"
            " each import one process, measured from outside: wall seconds (its own CPU"
            " seconds), peak RSS. The idle process is the same command on a one-row file: its"
            " start-up.",
            "",
            "| import | SQLite | PostgreSQL |",
            "|---|---:|---:|",
        ]
        lines += [f"| {titles[name]} | " + " | ".join(cells[name]) + " |" for name in titles]
    if exports:
        largest, smallest = max(EXPORT_SIZES), min(EXPORT_SIZES)

        def cell(films, show):
            return [
                show(exports[backend][films]) if films in exports.get(backend, {}) else "n/a"
                for backend in BACKENDS
            ]

        rows = [
            (
                f"`GET /api/export/?format=csv`, {films:,} films: s to the last byte (the"
                " serving worker's CPU s)",
                cell(films, export_seconds),
            )
            for films in (largest, smallest)
        ]
        rows += [
            (
                f"time to the first bytes, ms ({films:,} films)",
                cell(films, lambda found: f"{found['first_byte_s'] * 1000:.0f}"),
            )
            for films in (largest, smallest)
        ]
        rows += [
            (
                f"serving worker's peak RSS, MiB (before the export), {films:,} films",
                cell(
                    films,
                    lambda found: (
                        f"{mib(found['worker_peak_kb'])} ({mib(found['worker_rss_before_kb'])})"
                    ),
                ),
            )
            for films in (smallest, largest)
        ]
        rows.append(
            (f"MiB sent, {largest:,} films", cell(largest, lambda f: f"{f['bytes'] / 2**20:.0f}"))
        )
        rows += [
            (
                f"`manage.py export_films --output FILE`, {films:,} films: s (CPU s), peak MiB",
                cell(
                    films,
                    lambda found: (
                        f"{seconds(found['command'])}, {mib(found['command']['peak_kb'])}"
                    ),
                ),
            )
            for films in (largest, smallest)
        ]
        lines += [
            "",
            "Export: this site's CSV of every film, from gunicorn as shipped (one worker, fresh"
            " for each size, warmed up by an export of one film) and from the command.",
            "",
            "| export | SQLite | PostgreSQL |",
            "|---|---:|---:|",
        ]
        lines += [f"| {title} | " + " | ".join(row) + " |" for title, row in rows]
    return lines


def export_seconds(found):
    cpu = found.get("worker_cpu_s")  # not measured before it was added
    return f"{found['total_s']:.1f}" + (f" ({cpu:.1f})" if cpu is not None else "")


def transfer_targets(results):
    """The import and export targets, by backend."""
    checks = []
    for backend, found in results["imports"].items():
        name = BACKENDS[backend]
        first, again, idle = found["first"], found["again"], found["idle"]
        limit = IMPORT_TARGET_S[backend]
        checks.append(
            (
                f"{found['rows']:,} IMDb rows imported into an empty database in at most"
                f" {limit} s ({name})",
                first["wall_s"] <= limit,
                f"{first['wall_s']:.1f} s",
            )
        )
        above = (first["peak_kb"] - idle["peak_kb"]) * 1024
        checks.append(
            (
                f"its peak memory at most {IMPORT_MEMORY_TARGET_MB} MB above the idle process"
                f" ({name})",
                above <= IMPORT_MEMORY_TARGET_MB * 10**6,
                f"{above / 10**6:.0f} MB",
            )
        )
        checks.append(
            (
                f"importing it again, unchanged, no slower ({name})",
                again["wall_s"] <= first["wall_s"],
                f"{again['wall_s']:.1f} s after {first['wall_s']:.1f} s",
            )
        )
        reference = found["reference"]
        checks.append(
            (
                f"at least {REFERENCE_RATIO_TARGET}x faster than django-import-export ({name})",
                reference["wall_s"] >= REFERENCE_RATIO_TARGET * first["wall_s"],
                ratio(reference["wall_s"], first["wall_s"]),
            )
        )
    for backend, sizes in results["exports"].items():
        name = BACKENDS[backend]
        largest, smallest = sizes.get(max(EXPORT_SIZES)), sizes.get(min(EXPORT_SIZES))
        if largest:
            checks.append(
                (
                    f"{max(EXPORT_SIZES):,} films exported as CSV in at most {EXPORT_TARGET_S} s"
                    f" ({name})",
                    largest["total_s"] <= EXPORT_TARGET_S,
                    f"{largest['total_s']:.1f} s, first bytes after"
                    f" {largest['first_byte_s'] * 1000:.0f} ms",
                )
            )
        if largest and smallest:
            growth = (largest["worker_peak_kb"] - smallest["worker_peak_kb"]) / 1024
            checks.append(
                (
                    f"export memory does not grow with the films: the worker's peak at"
                    f" {max(EXPORT_SIZES):,} within {EXPORT_MEMORY_GROWTH_MB} MiB of its peak at"
                    f" {min(EXPORT_SIZES):,} ({name})",
                    growth <= EXPORT_MEMORY_GROWTH_MB,
                    f"{growth:+.0f} MiB",
                )
            )
    return checks


def targets(med, queries, loads=()):
    def get(name, key, stat="rps"):
        return med.get(name, {}).get(key, {}).get(stat)

    checks = []
    for name in ("detail", "list-4", "create"):
        ours, flask = get(name, "flask_setup"), get(name, "flask")
        if ours and flask:
            checks.append(
                (
                    f"{name}: Flask setup >= 1.5x the Flask app",
                    ours >= 1.5 * flask,
                    f"{ours / flask:.2f}x",
                )
            )
        shipped = get(name, "shipped")
        if shipped and ours:
            checks.append(
                (f"{name}: as shipped >= Flask setup", shipped >= ours, f"{shipped / ours:.2f}x")
            )
        if shipped and flask:
            checks.append(
                (
                    f"{name}: as shipped >= 1.5x the Flask app",
                    shipped >= 1.5 * flask,
                    f"{shipped / flask:.2f}x",
                )
            )
    for name in ("detail", "list-4"):
        shipped, unobserved = get(name, "shipped"), get(name, "unobserved")
        if shipped and unobserved:
            checks.append(
                (
                    f"{name}: as shipped (JSON logs, metrics) within 10% of observability off",
                    shipped >= 0.9 * unobserved,
                    f"{shipped / unobserved:.2f}x",
                )
            )
    for setup in ("shipped", "flask_setup"):
        small, large = get("list-4", setup, "p50_us"), get("list-100k", setup, "p50_us")
        if small and large:
            checks.append(
                (
                    f"first page at 100,000 films, p50 within 1.5x of the 4-film list ({setup})",
                    large <= 1.5 * small,
                    f"{large / small:.2f}x",
                )
            )
    ours, bare = get("detail", "flask_setup"), get("detail", "bare")
    if ours and bare:
        checks.append(
            (
                "GET one film >= 50% of the bare-WSGI ceiling (same setup)",
                ours >= 0.5 * bare,
                f"{ours / bare:.0%}",
            )
        )
    for backend, four_films in (("sqlite", "list-4"), ("postgres", "list-4-postgres")):
        rare = get(search_name("rare", 1_000_000, backend), "shipped", "p50_us")
        small = get(four_films, "shipped", "p50_us")
        if rare and small:
            checks.append(
                (
                    f"rare-text search at 1,000,000 films, p50 within 2x the 4-film list's"
                    f" ({BACKENDS[backend]})",
                    rare <= 2 * small,
                    f"{rare / small:.2f}x",
                )
            )
        for write in WRITES:
            with_index = get(write_name(write, backend), "shipped")
            without = get(write_name(write, backend), "no_index")
            if with_index and without:
                checks.append(
                    (
                        f"{write} with the search index >= 80% of its speed without"
                        f" ({BACKENDS[backend]})",
                        with_index >= 0.8 * without,
                        f"{with_index / without:.0%}",
                    )
                )
    for load in loads:
        if load["index_bytes"] and load["films"] + 4 >= 1_000_000:
            seconds = load["insert_s"] + load["index_s"]
            checks.append(
                (
                    f"{load['films'] + 4:,} films load in under a minute"
                    f" ({BACKENDS[load['backend']]})",
                    seconds < 60,
                    f"{seconds:.0f} s",
                )
            )
    expected = {"detail": 1, "list-4": 1, "detail-token": 2, "list-4-token": 2, "list-10k": 1}
    expected["list-100k"] = 1
    expected.update({s.name: 1 for s in search_scenarios()})
    for name, most in expected.items():
        if name in queries:
            checks.append(
                (
                    f"{name}: at most {most} query per request",
                    queries[name] <= most,
                    f"{queries[name]}",
                )
            )
    return checks


def draw_chart(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    med, labels = results["medians"], results["labels"]
    keys = [
        key for key in ("shipped", "unobserved", "flask_setup", "bare", "flask") if key in labels
    ]
    figure, (bars, lines) = plt.subplots(
        1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [2.2, 1]}
    )
    width = 0.8 / len(keys)
    names = [s.name for s in MAIN_TABLE]
    for index, key in enumerate(keys):
        values = [med.get(name, {}).get(key, {}).get("rps") or 0 for name in names]
        bars.bar([n + index * width for n in range(len(names))], values, width, label=labels[key])
    bars.set_xticks([n + 0.4 - width / 2 for n in range(len(names))], names, rotation=20)
    bars.set_yscale("log")
    bars.set_ylabel("requests per second (log)")
    bars.set_title("Throughput per scenario (missing bar: not applicable)")
    for key in keys:
        points = [
            (films, med.get(name, {}).get(key, {}).get("p50_us"))
            for films, name in zip(LIST_SIZES, ("list-4", "list-10k", "list-100k"), strict=True)
        ]
        points = [(films, p50 / 1000) for films, p50 in points if p50]
        if points:
            lines.plot(*zip(*points, strict=True), marker="o", label=labels[key])
    lines.set_xscale("log")
    lines.set_yscale("log")
    lines.set_xlabel("films in the table")
    lines.set_ylabel("p50 latency of GET /api/ (ms, log)")
    lines.set_title("List latency as the watchlist grows")
    # One legend for both, under them, where it hides no bar or line.
    figure.legend(*bars.get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=8)
    figure.tight_layout(rect=(0, 0.1, 1, 1))
    figure.savefig(path, dpi=110)


def load_average():
    return [round(load, 1) for load in os.getloadavg()]


def machine_info():
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "date": datetime.date.today().isoformat(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        # The machine may be shared: what else ran shows in the load, at the start and end.
        "load_average": load_average(),
    }


# --- Main ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", help="folder of the original Flask app to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument(
        "--postgres",
        default=POSTGRES_SERVER,
        help="a PostgreSQL server (URL of one of its databases) for the PostgreSQL phases",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")

    only = set(args.only.split(",")) if args.only else None
    chosen = [s for s in SCENARIOS if not only or s.name in only]
    # (kind, backend) pairs, chosen by kind ("import") or by kind and backend ("import-sqlite").
    transfers = [
        (kind, backend)
        for kind in TRANSFERS
        for backend in BACKENDS
        if not only or {kind, f"{kind}-{backend}"} & only
    ]
    backends = {s.backend for s in chosen} | {backend for _, backend in transfers}
    if "postgres" in backends:
        check_postgres(args.postgres)
    work = Path(tempfile.mkdtemp(prefix="watchlist-bench-"))
    flask = FlaskReference(args.reference, work) if args.reference else None
    results = {
        "machine": machine_info(),
        "runs": {},
        "queries": {},
        "labels": {},
        "memory_kb": {},
        "loads": [],
        "imports": {},
        "exports": {},
        "settings": vars(args),
    }
    exported = {backend for kind, backend in transfers if kind == "export"}
    phases = {s.phase for s in chosen} | {(b, films) for b in exported for films in EXPORT_SIZES}
    try:
        for backend in (backend for kind, backend in transfers if kind == "import"):
            run_import_phase(backend, work, args, results)
        for phase in sorted(phases, key=lambda phase: (phase[0] != "sqlite", phase[1])):
            run_database_phase(
                phase,
                [s for s in chosen if s.phase == phase],
                work,
                flask,
                args,
                results,
                export=phase[0] in exported and phase[1] in EXPORT_SIZES,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if shutil.which("valgrind"):
        log("Instructions per request (bench/budget.py, under callgrind)")
        results["instructions"] = budget.measure()
        results["budgets"] = json.loads(budget.BUDGETS.read_text())
    results["machine"]["load_average_end"] = load_average()
    markdown = build_report(results, results["machine"], args)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(markdown)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    if results["labels"]:  # the chart shows the servers' throughput and list latency
        draw_chart(results, RESULTS / "latest.png")
    print("\n" + markdown)
    log(f"Written to {RESULTS}/: latest.md, latest.json, and latest.png if it was drawn")


def run_import_phase(backend, work, args, results):
    """The imports on one backend (bench/imports_exports.py), each into an empty database."""
    log(f"{BACKENDS[backend]}: import_films and django-import-export, {IMPORT_ROWS:,} rows")
    cleanups = []
    try:
        env, cleanup = new_database(work / f"import-{backend}", backend, args.postgres)
        cleanups.append(cleanup)
        reference_env, cleanup = new_database(
            work / f"reference-{backend}", backend, args.postgres
        )
        cleanups.append(cleanup)
        results["imports"][backend] = imports_exports.measure_imports(
            env, reference_env, work / f"import-{backend}", log
        )
    finally:
        for cleanup in cleanups:
            if cleanup:
                cleanup()


def run_database_phase(phase, scenarios, work, flask, args, results, export=False):
    """The scenarios of one backend and size: their databases, their servers, their runs;
    first, with `export`, the export of its films (before any write changes them)."""
    backend, films = phase
    setups = {key for scenario in scenarios for key in scenario.setups}
    cleanups = []
    servers = []
    try:
        log(f"{BACKENDS[backend]}, {films:,} films: loading")
        env, token, loaded, cleanup = project_database(work, backend, films, args.postgres)
        cleanups.append(cleanup)
        if loaded:
            results["loads"].append({"backend": backend, **loaded})
            log(f"loaded: {loaded}")
        if export:
            results["exports"].setdefault(backend, {})[films] = imports_exports.measure_export(
                env, work / f"export-{backend}-{films}", films, log
            )
        if not scenarios:
            return
        unindexed_env = None
        if "no_index" in setups:
            log(f"{BACKENDS[backend]}, {films:,} films, without the search index: loading")
            unindexed_env, _, _, cleanup = project_database(
                work, backend, films, args.postgres, index=False
            )
            cleanups.append(cleanup)
            # The same user and token in both databases: the write scripts send one token.
            manage(unindexed_env, "shell", "-v0", "-c", copy_token(token))
        results["queries"].update(count_queries(env, token, [s.name for s in scenarios]))
        directory = work / f"servers-{backend}-{films}"
        servers = servers_for(films, env, token, flask, directory, setups, unindexed_env)
        run_phase(servers, scenarios, env, token, films, args, results)
    finally:
        for server in servers:
            server.stop()
        for cleanup in cleanups:
            if cleanup:
                cleanup()


def check_postgres(server):
    """Stop before any run when the PostgreSQL phases have no server to run on."""
    import psycopg

    try:
        psycopg.connect(server, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        sys.exit(
            f"PostgreSQL at {server} is unreachable ({error}).\nStart it, name another with"
            " --postgres URL, or choose scenarios without it with --only."
        )


def copy_token(token):
    """Code that gives the bench user of another database this same token (its digest)."""
    return (
        "from django.contrib.auth import get_user_model;"
        "from knox.crypto import hash_token; from knox.models import AuthToken;"
        "from knox.settings import CONSTANTS;"
        "user = get_user_model().objects.get(username='bench');"
        "AuthToken.objects.filter(user=user).delete();"
        f"AuthToken.objects.bulk_create([AuthToken(user=user, digest=hash_token({token!r}),"
        f" token_key={token!r}[:CONSTANTS.TOKEN_KEY_LENGTH], expiry=None)])"
    )


def run_phase(servers, scenarios, env, token, films, args, results):
    for server in servers:
        results["labels"][server.key] = server.label
    extra = {"BENCH_FILMS": str(films), "BENCH_RUNS": str(args.rounds + 1)}
    for scenario in scenarios:
        if scenario.name == "watch":
            extra["BENCH_FIRST_ID"] = str(add_watch_pool(env))
            extra["BENCH_POOL"] = str(WATCH_POOL)
        elif scenario.script in ("edit.lua", "delete.lua"):
            extra["BENCH_FIRST_ID"] = str(first_loaded_film(env))
            extra["BENCH_POOL"] = str(EDIT_POOL if scenario.script == "edit.lua" else films - 4)
        applicable = [
            s for s in servers if s.key in scenario.setups and (s.key != "flask" or scenario.flask)
        ]
        for server in applicable:  # warm-up, not measured
            extra["BENCH_RUN"] = "0"
            run_wrk(server, scenario, 1, wrk_env(server, token, extra))
            wait_until_idle(servers)
        for round_number in range(args.rounds):
            order = applicable if round_number % 2 == 0 else applicable[::-1]
            for server in order:
                extra["BENCH_RUN"] = str(round_number + 1)
                figures = run_wrk(server, scenario, args.duration, wrk_env(server, token, extra))
                wait_until_idle(servers)
                results["runs"].setdefault(scenario.name, {}).setdefault(server.key, []).append(
                    figures
                )
                log(
                    f"{scenario.name:28} {server.key:12} {figures['rps']:9.0f} req/s  "
                    f"p50 {figures['p50_us'] / 1000:7.2f} ms  p99 {figures['p99_us'] / 1000:7.2f}"
                    f" ms  non-2xx {figures['non2xx']}  errors {figures['socket_errors']}"
                )
    if not any(server.key == "bare" for server in servers):
        return  # memory is compared between setups, in the phases that run them all
    for server in servers:
        if server.key not in SETUPS:
            continue
        server.record_memory()
        peak = max(server.peak_rss_kb.values())
        results["memory_kb"][server.key] = max(peak, results["memory_kb"].get(server.key, 0))


def wrk_env(server, token, extra):
    # The Flask app takes no token; the others get one for the write scenarios.
    return dict(extra, BENCH_TOKEN="" if server.key == "flask" else token)


if __name__ == "__main__":
    main()
