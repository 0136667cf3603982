"""What each piece of observability costs a hot read, measured inside one process.

    python bench/inprocess.py [--requests 2000] [--rounds 15]

Calls Django's WSGI handler directly (no server, no network) for the anonymous reads of one
film and of the 4-film list. One process per log format builds a handler for each step
(without the observability middleware, as before it existed; request ids only; with the
access line; with the access line and metrics, as shipped) and alternates them round by
round, so that whatever else runs on the machine weighs on each alike; the figure is the
median over rounds of the serving thread's CPU time a request. A last process adds Sentry.
Log lines go to a file, as in make bench (into a pipe whose reader sleeps between lines, as a
container's log collector may, each write costs more: a wake-up); metrics to
prometheus-client's multiprocess files, as under gunicorn. The figures go to
bench/results/inprocess.json, which the documentation's performance page shows.
"""

import argparse
import io
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
RESULTS = BASE_DIR / "bench" / "results"
READS = {"GET /api/1/": "/api/1/", "GET /api/ (4 films)": "/api/"}
OBSERVABILITY = (
    "watchlist.observability.middleware.MetricsEndpointMiddleware",
    "watchlist.observability.middleware.RequestObservabilityMiddleware",
)
STEPS = {
    "without the observability middleware": {"observed": False},
    "request ids only": {"ACCESS_LOG": False, "METRICS_TOKEN": ""},
    "+ access line": {"ACCESS_LOG": True, "METRICS_TOKEN": ""},
    "+ metrics (all on, as shipped)": {"ACCESS_LOG": True},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests a round")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rows = []
    for log_format in ("text", "json"):
        figures = run_child(args, DJANGO_LOG_FORMAT=log_format)
        rows += [(f"{step} ({log_format} logs)", costs) for step, costs in figures.items()]
    with_sentry = run_child(args, DJANGO_LOG_FORMAT="json", SENTRY="1", BENCH_ONLY="last")
    rows += [(f"{step}, + Sentry", costs) for step, costs in with_sentry.items()]
    results = {"settings": vars(args), "rows": [[label, costs] for label, costs in rows]}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "inprocess.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))


def report(results):
    """The table of bench/results/inprocess.json: each configuration's CPU time per read, and
    what it adds to the first."""
    rows = results["rows"]
    base = rows[0][1]
    lines = [
        "| configuration | " + " | ".join(f"{read} µs (added)" for read in READS) + " |",
        "|---|" + "---:|" * len(READS),
    ]
    for label, costs in rows:
        cells = [f"{costs[read]:.1f} ({costs[read] - base[read]:+.1f})" for read in READS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def run_child(args, **extra):
    work = Path(tempfile.mkdtemp(prefix="watchlist-inprocess-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="watchlist.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_HTTPS="0",
        WATCHLIST_DATA_DIR=str(work),
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(work / "static"),
        DJANGO_METRICS_TOKEN=secrets.token_urlsafe(32),
        PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(dir=work),
        BENCH_REQUESTS=str(args.requests),
        BENCH_ROUNDS=str(args.rounds),
    )
    env.update({k: v for k, v in extra.items() if k != "SENTRY"})
    if extra.get("SENTRY"):
        env["SENTRY_DSN"] = "http://public@127.0.0.1:9/1"  # nothing fails: nothing is sent
    log = (work / "log").open("w")
    process = subprocess.run(
        [sys.executable, __file__, "--child"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,  # the log lines, to a file as in make bench
        stderr=subprocess.PIPE,
        check=False,
    )
    if process.returncode:
        sys.exit(process.stderr.decode())
    return json.loads(process.stderr.decode().strip().splitlines()[-1])


def child():
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.test import override_settings

    call_command("migrate", verbosity=0)
    call_command("load_sample_movies", verbosity=0)
    steps = dict(STEPS)
    if os.environ.get("BENCH_ONLY") == "last":
        steps = dict([next(iter(STEPS.items())), list(STEPS.items())[-1]])
    handlers = {}
    for step, changes in steps.items():
        changes = dict(changes)
        if not changes.pop("observed", True):
            changes["MIDDLEWARE"] = [m for m in settings.MIDDLEWARE if m not in OBSERVABILITY]
        with override_settings(**changes):
            handlers[step] = WSGIHandler()  # builds its middleware chain from the settings
    requests, rounds = int(os.environ["BENCH_REQUESTS"]), int(os.environ["BENCH_ROUNDS"])
    samples = {(step, read): [] for step in handlers for read in READS}
    for handler in handlers.values():
        for path in READS.values():
            serve(handler, path, 200)  # warm-up
    for _ in range(rounds):
        for step, handler in handlers.items():
            for read, path in READS.items():
                samples[step, read].append(serve(handler, path, requests))
    figures = {
        step: {read: statistics.median(samples[step, read]) for read in READS} for step in handlers
    }
    print(json.dumps(figures), file=sys.stderr)


def serve(handler, path, requests):
    """CPU time of the serving thread a request, in µs."""

    def start_response(status, headers, exc_info=None):
        assert status.startswith("200"), status

    started = time.thread_time()
    for _ in range(requests):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        response = handler(environ, start_response)
        b"".join(response)
        response.close()
    return (time.thread_time() - started) / requests * 1e6


if __name__ == "__main__":
    child() if "--child" in sys.argv else main()
