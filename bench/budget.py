"""The performance budget: instructions per request for the hot requests, checked in CI.

    python bench/budget.py            # count, and fail naming each request over its budget
    python bench/budget.py --update   # count, and write the counts as the budgets

Wall-clock figures on a busy 2-core machine move by 15% from run to run; the number of
instructions a request executes does not. Each request goes through Django's WSGI handler,
the whole middleware stack, with the project's settings as shipped (debug off, JSON logs
with an access line, metrics in prometheus-client's multiprocess files), on a SQLite file
with the four sample films and one user with a token, in one process run under valgrind's
callgrind, which counts every instruction the process executes.

For each request the process serves it WARM_UP times (caches, lazily built parts,
specialised bytecode), then N times, then 2N times; callgrind's counter is read between
the three (the process calls getppid(), which nothing else here calls, and callgrind dumps
its counts before each such call). The count of a request is (2N requests - N requests) / N,
less the same for a WSGI application that answers nothing: what is left is Django and the
project, not this harness. The counts repeat from run to run within 0.1% (0.5% in a checkout
in another folder): string hashing is fixed (PYTHONHASHSEED), the rate limiter's clock is
held still (its windows would otherwise roll over mid-run, each time on another request),
the cycle collector is off (its runs would fall into one request's count or another's),
the process has the settings alone as its environment, and what is left on the request path
that reads the clock (the access line's duration and time) changes a few hundred
instructions at most.

bench/budgets.json holds the budgets, and the tolerance: a request whose count grows by
more than that fails the check. The counts depend on the interpreter and the library
versions: the budgets record them, and are measured again (make budgets) after an upgrade
or a change that is meant to cost more.
"""

import argparse
import io
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
BUDGETS = BENCH_DIR / "budgets.json"
DEFAULT_TOLERANCE = 0.03
WARM_UP = 10
N = 20
MARKER = "getppid"  # libc's: callgrind dumps its counts when the process enters it

FORM = "application/x-www-form-urlencoded"
# name: (what it is, [(method, path, body, content type, with the token, expected status)])
REQUESTS = {
    "detail": ("GET one film, anonymous", [("GET", "/api/1/", b"", None, False, 200)]),
    "list-4": ("GET the list (4 films), anonymous", [("GET", "/api/", b"", None, False, 200)]),
    "detail-token": ("GET one film, with a token", [("GET", "/api/1/", b"", None, True, 200)]),
    "list-4-token": (
        "GET the list (4 films), with a token",
        [("GET", "/api/", b"", None, True, 200)],
    ),
    "create": (
        "POST create (a form, as the Flask clients send it), with a token",
        [("POST", "/api/create/", b"title=Benchmark&release_date=937353600", FORM, True, 201)],
    ),
    "watch": (
        "POST watch then POST unwatch, with a token (the count is for the pair)",
        [
            ("POST", "/api/1/watch/", b"", None, True, 200),
            ("POST", "/api/1/unwatch/", b"", None, True, 200),
        ],
    ),
}
HARNESS = "harness"  # the same loop around an application that answers nothing


# --- The parent: prepares the database, runs the child under callgrind, reads the counts --


def measure():
    """{name: instructions per request} for every request in REQUESTS."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("valgrind is needed to count instructions (Debian: apt-get install valgrind)")
    sys.path.insert(0, str(BASE_DIR))
    from watchlist.tests.live import create_api_user, manage, server_env

    work = Path(tempfile.mkdtemp(prefix="watchlist-budget-"))
    try:
        metrics = work / "metrics"
        metrics.mkdir()
        env = server_env(
            f"sqlite:///{work / 'db.sqlite3'}",
            work,
            DJANGO_LOG_FORMAT="json",
            DJANGO_METRICS_TOKEN=secrets.token_urlsafe(32),
            PROMETHEUS_MULTIPROC_DIR=str(metrics),
        )
        # The settings only, nothing else of the caller's environment: its size moves the
        # stack, and so the alignment of what the interpreter copies, which changes the
        # counts a little (0.3% between a shell and make).
        env = {key: value for key, value in env.items() if os.environ.get(key) != value}
        env.update(PATH="/usr/bin:/bin", LANG="C.UTF-8", PYTHONHASHSEED="0")
        manage(env, "migrate", "-v0")
        manage(env, "load_sample_movies", "-v0")
        env["BUDGET_TOKEN"] = create_api_user(env, "budget")
        out = work / "callgrind.out"
        with (work / "stdout.log").open("w") as log:  # the access lines, as a file takes them
            child = subprocess.run(
                [
                    valgrind,
                    "--tool=callgrind",
                    f"--callgrind-out-file={out}",
                    f"--dump-before={MARKER}",
                    "--dump-line=no",
                    sys.executable,
                    __file__,
                    "--child",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        if child.returncode:
            sys.exit(f"the counting process failed:\n{child.stderr[-4000:]}")
        parts = [
            total(out.with_name(f"{out.name}.{n}")) for n in range(1, 2 + 3 * (1 + len(REQUESTS)))
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # Parts, in order: the start-up, then for each request (the harness first) its warm-up,
    # N requests and 2N requests.
    per_request = {}
    for index, name in enumerate([HARNESS, *REQUESTS]):
        n_requests, twice_as_many = parts[2 + 3 * index], parts[3 + 3 * index]
        per_request[name] = (twice_as_many - n_requests) / N
    harness = per_request.pop(HARNESS)
    return {name: round(count - harness) for name, count in per_request.items()}


def total(path):
    """The instructions counted in one of callgrind's dumps."""
    match = re.search(r"^(?:summary|totals): (\d+)", path.read_text(), re.MULTILINE)
    assert match, f"no total in {path}"
    return int(match.group(1))


def versions():
    """What the counts depend on, besides the project's code."""
    from importlib import metadata

    packages = ("Django", "djangorestframework", "django-rest-knox", "orjson")
    return {
        "python": platform.python_version(),
        "python build": " ".join(platform.python_build()),
        "valgrind": subprocess.run(
            ["valgrind", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip(),
        **{package: metadata.version(package) for package in packages},
    }


# --- The child, under callgrind ---------------------------------------------------------


def child():
    sys.path.insert(0, str(BASE_DIR))
    import gc
    import time
    from types import SimpleNamespace

    import django

    django.setup()
    import django_ratelimit.core
    from django.core.handlers.wsgi import WSGIHandler

    # The limiter counts in fixed windows: a window rolling over mid-run would change the
    # work of one request (a new counter instead of an increment). Its clock stays put.
    began = time.time()
    django_ratelimit.core.time = SimpleNamespace(time=lambda: began)

    handler = WSGIHandler()
    token = os.environ["BUDGET_TOKEN"]

    class Nothing(list):
        def close(self):
            pass

    def nothing(environ, start_response):
        start_response("200 OK", [])
        return Nothing([b""])

    answered = []

    def start_response(status, headers, exc_info=None):
        answered[:] = [status]

    def serve(application, calls, count):
        for _ in range(count):
            for method, path, body, content_type, signed_in, expected in calls:
                environ = {
                    "REQUEST_METHOD": method,
                    "PATH_INFO": path,
                    "QUERY_STRING": "",
                    "SERVER_NAME": "127.0.0.1",
                    "SERVER_PORT": "8000",
                    "REMOTE_ADDR": "127.0.0.1",
                    "HTTP_HOST": "127.0.0.1:8000",
                    "SERVER_PROTOCOL": "HTTP/1.1",
                    "wsgi.input": io.BytesIO(body),
                    "wsgi.url_scheme": "http",
                    "CONTENT_LENGTH": str(len(body)),
                }
                if content_type:
                    environ["CONTENT_TYPE"] = content_type
                if signed_in:
                    environ["HTTP_AUTHORIZATION"] = f"Token {token}"
                response = application(environ, start_response)
                b"".join(response)
                response.close()
                if application is handler and not answered[-1].startswith(str(expected)):
                    raise AssertionError(f"{method} {path}: {answered[-1]}, not {expected}")

    # The cycle collector stays off while counting: when it runs depends on how many
    # objects every earlier request made, so one object more anywhere moves a whole
    # collection of the process's objects (millions of instructions) into or out of a
    # request's count. Reference counting frees what requests make; cycles wait.
    gc.collect()
    gc.disable()
    os.getppid()  # the end of the start-up
    for name, calls in [
        (HARNESS, REQUESTS["detail"][1]),
        *((n, r[1]) for n, r in REQUESTS.items()),
    ]:
        application = nothing if name == HARNESS else handler
        serve(application, calls, WARM_UP)
        os.getppid()
        serve(application, calls, N)
        os.getppid()
        serve(application, calls, 2 * N)
        os.getppid()


# --- Check and update --------------------------------------------------------------------


def table(counts, budgets=None):
    lines = ["| request | instructions | budget | change |", "|---|---:|---:|---:|"]
    for name, count in counts.items():
        budget = (budgets or {}).get(name)
        change = f"{count / budget - 1:+.2%}" if budget else "n/a"
        lines.append(
            f"| {name}: {REQUESTS[name][0]} | {count:,} | {f'{budget:,}' if budget else 'n/a'}"
            f" | {change} |"
        )
    return "\n".join(lines)


def check(counts, recorded):
    """The requests over budget, with why; [] when every one is within it."""
    budgets, tolerance = recorded["budgets"], recorded["tolerance"]
    problems = []
    for name, count in counts.items():
        budget = budgets.get(name)
        if budget is None:
            problems.append(f"{name}: no budget in {BUDGETS.name} (make budgets)")
        elif count > budget * (1 + tolerance):
            problems.append(
                f"{name} ({REQUESTS[name][0]}): {count:,} instructions a request, "
                f"{count / budget - 1:+.2%} over its budget of {budget:,} "
                f"(tolerance {tolerance:.0%})"
            )
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="write the counts as budgets")
    args = parser.parse_args()
    recorded = json.loads(BUDGETS.read_text()) if BUDGETS.exists() else None
    if recorded and not args.update:
        # Another build of Python (another version, compiler or options) executes another
        # number of instructions for the same code: its counts say nothing about ours.
        interpreter = {key: versions()[key] for key in ("python", "python build")}
        counted_on = {key: recorded["versions"].get(key) for key in interpreter}
        if counted_on != interpreter:
            sys.exit(
                f"The budgets were counted on Python {counted_on}; this is {interpreter}. "
                "Counts are comparable on one interpreter build only: check with that one, "
                "or count the budgets again on this one (make budgets) and commit them."
            )
    counts = measure()
    if args.update or recorded is None:
        tolerance = recorded["tolerance"] if recorded else DEFAULT_TOLERANCE
        BUDGETS.write_text(
            json.dumps(
                {
                    "about": "Instructions per request (bench/budget.py); make budgets rewrites "
                    "this file. A count more than `tolerance` over its budget fails CI.",
                    "tolerance": tolerance,
                    "versions": versions(),
                    "budgets": counts,
                },
                indent=2,
            )
            + "\n"
        )
        print(table(counts))
        print(f"\nWrote {BUDGETS.relative_to(BASE_DIR)}.")
        return
    print(table(counts, recorded["budgets"]))
    if recorded["versions"] != versions():
        print(f"\n(Budgets counted with {recorded['versions']}; this run: {versions()}.)")
    problems = check(counts, recorded)
    if problems:
        print("\nOver budget:\n" + "\n".join(f"- {problem}" for problem in problems))
        print("\nIf the cost is meant (a feature worth it), make budgets records the new counts.")
        sys.exit(1)
    print(f"\nEvery request within {recorded['tolerance']:.0%} of its budget.")


if __name__ == "__main__":
    child() if "--child" in sys.argv else main()
