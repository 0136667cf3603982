"""Import and export, measured as a user runs them; called by bench/run.py.

Import: a 100,000-row IMDb list export (bench/imdb.py) goes into an empty database through
`manage.py import_films FILE`, then again (everything already there), then a one-row file
(the command's start-up: the idle process the peak memory is compared with). The same rows
then go into another empty database through django-import-export's standard ModelResource
(bench/reference_import.py), the reference. Each is one process, measured from outside:
wall time, CPU time and peak RSS (its high-water mark, from wait4).

Export: a streamed `GET /api/export/?format=csv` of every film, from gunicorn as shipped
(one worker, so that the one serving is known; fresh for each database size): the time to
the first bytes and to the last, the bytes, and the serving worker's memory before and at
its peak; then `manage.py export_films --output FILE` of the same films.
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass
from http.client import HTTPConnection
from pathlib import Path

from bench import imdb
from watchlist.tests.live import BASE_DIR, Gunicorn, manage

IMPORT_ROWS = 100_000
REFERENCE_TIMEOUT = 3600  # seconds: django-import-export is measured once, however long
EXPORT = "/api/export/?format=csv"
SAMPLE_FILM = "Fight Club"  # one of the four sample films (fixtures/movies.json)
COUNT_FILMS = "from movies.models import Movie; print(Movie.objects.count())"


@dataclass
class Run:
    """One process, measured: wall and CPU seconds, peak RSS in KiB, exit status (None:
    killed for taking too long)."""

    wall_s: float
    cpu_s: float
    peak_kb: int
    status: int | None


def measured(env, command, output, timeout=None):
    """Run `command` (arguments after the Python interpreter) in the project's folder with
    `env`, its output in `output` (.out and .err); returns a Run. Past `timeout` seconds it
    is killed, and the Run's status is None."""
    with open(f"{output}.out", "wb") as out, open(f"{output}.err", "wb") as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, *command], cwd=BASE_DIR, env=env, stdout=out, stderr=err
        )
        timer = threading.Timer(timeout, process.kill) if timeout else None
        if timer:
            timer.start()
        # wait4, not wait: the child's own resource usage, its peak RSS among it.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        if timer:
            timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    killed = process.returncode < 0 and wall >= (timeout or float("inf"))
    return Run(
        round(wall, 2),
        round(usage.ru_utime + usage.ru_stime, 2),
        usage.ru_maxrss,
        None if killed else process.returncode,
    )


def film_count(env):
    return int(manage(env, "shell", "-v0", "-c", COUNT_FILMS).split()[-1])


def checked(run, output, what):
    if run.status not in (0, None):
        tail = Path(f"{output}.err").read_text()[-2000:]
        raise RuntimeError(f"{what} failed with status {run.status}:\n{tail}")
    return run


# --- Import ---------------------------------------------------------------------------------


def import_files(work):
    """The 100,000-row file, and a file of its first row."""
    big = imdb.write(work / "imdb-100k.csv", IMPORT_ROWS)
    one = imdb.write(work / "imdb-1.csv", 1)
    return big, one


def measure_imports(env, reference_env, work, log):
    """The project's import of the file, twice, and its start-up (a one-row file); then
    django-import-export's, in a database of its own. Each env names an empty, migrated
    database. Returns a dict for the results."""
    big, one = import_files(work)
    results = {"rows": IMPORT_ROWS, "file_bytes": big.stat().st_size}

    def ours(name, path):
        output = work / name
        run = checked(
            measured(env, ["manage.py", "import_films", str(path)], output), output, name
        )
        results[name] = {**asdict(run), "films": film_count(env)}
        log(f"import_films, {name}: {describe(run)}, {results[name]['films']:,} films")

    ours("first", big)
    ours("again", big)
    ours("idle", one)
    assert results["again"]["films"] == results["first"]["films"], "a second import added films"

    output = work / "reference"
    command = ["bench/reference_import.py", str(big)]
    run = checked(measured(reference_env, command, output, REFERENCE_TIMEOUT), output, "reference")
    finished = run.status is not None
    results["reference"] = {
        **asdict(run),
        "finished": finished,
        "totals": json.loads(Path(f"{output}.out").read_text()) if finished else None,
        "films": film_count(reference_env),
    }
    output = work / "reference-idle"
    idle = measured(reference_env, ["bench/reference_import.py", str(one)], output)
    results["reference"]["idle"] = asdict(checked(idle, output, "reference, one row"))
    log(f"django-import-export: {describe(run)}, {results['reference']['films']:,} films")
    if finished:
        assert results["reference"]["films"] == results["first"]["films"], (
            "django-import-export and import_films imported different films"
        )
    return results


def describe(run):
    return f"{run.wall_s} s ({run.cpu_s} s CPU), peak {run.peak_kb / 1024:.0f} MiB"


# --- Export ---------------------------------------------------------------------------------


def measure_export(env, directory, films, log):
    """The CSV export of the `films` films in the database of `env`: over HTTP from a fresh
    gunicorn as shipped, then with the command; its files in `directory` (new). Returns a
    dict for the results."""
    directory.mkdir()
    server = Gunicorn(env, directory / "gunicorn.log", workers=1, ready_path="/api/1/")
    try:
        (worker,) = server.worker_pids()
        # Once first, one film: what is loaded on first use is loaded before the baseline.
        warm = download(server.url, f"{EXPORT}&search={urllib.parse.quote(SAMPLE_FILM)}")
        assert warm["lines"] == 2, warm
        before, cpu_before = memory_kb(worker), cpu_seconds(worker)
        figures = download(server.url, EXPORT)
        after, cpu = memory_kb(worker), cpu_seconds(worker) - cpu_before
    finally:
        server.stop()
    assert figures["lines"] == films + 1, f"{figures['lines']:,} lines for {films:,} films"
    figures.update(
        worker_rss_before_kb=before["VmRSS"], worker_peak_kb=after["VmHWM"], worker_cpu_s=cpu
    )
    log(
        f"GET /api/export/?format=csv, {films:,} films: {figures['total_s']} s ({cpu:.1f} s"
        f" the worker's CPU), first bytes"
        f" {figures['first_byte_s'] * 1000:.0f} ms, {figures['bytes'] / 2**20:.0f} MiB; worker"
        f" {before['VmRSS'] / 1024:.0f} MiB before, peak {after['VmHWM'] / 1024:.0f} MiB"
    )
    output = directory / "export_films"
    csv_file = directory / "films.csv"
    command = ["manage.py", "export_films", "--output", str(csv_file)]
    run = checked(measured(env, command, output), output, "export_films")
    with csv_file.open("rb") as exported:
        lines = sum(1 for _ in exported)
    assert lines == films + 1, f"export_films wrote {lines:,} lines for {films:,} films"
    csv_file.unlink()
    figures["command"] = asdict(run)
    log(f"export_films, {films:,} films: {describe(run)}")
    return figures


def download(url, path):
    """GET `path`, read to the end: seconds to the first bytes (status line and headers;
    the export's first body bytes come with them) and to the last, bytes and lines."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    connection = HTTPConnection(host, int(port), timeout=120)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    first_byte = time.perf_counter() - started
    assert response.status == 200, (response.status, response.read(500))
    size = lines = 0
    while chunk := response.read1(1 << 20):
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.perf_counter() - started
    connection.close()
    return {
        "first_byte_s": round(first_byte, 4),
        "total_s": round(total, 2),
        "bytes": size,
        "lines": lines,
    }


def cpu_seconds(pid):
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kb(pid):
    """VmRSS and VmHWM (peak RSS) of a process, in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {
        line.split(":")[0]: int(line.split()[1])
        for line in status.splitlines()
        if line.startswith(("VmRSS:", "VmHWM:"))
    }
