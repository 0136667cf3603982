"""gunicorn's side (watchlist/gunicorn.conf.py): its own log lines, and the metrics directory
that the workers share.

gunicorn writes no access line (Django writes one a request, with the route, the user and
the request id); its other lines (start, stop, worker timeouts) take the application's
format on stdout. prometheus-client's multiprocess mode keeps each worker's values in files
of one directory, named by PROMETHEUS_MULTIPROC_DIR before any worker starts: the master
makes a private one for each run (in /dev/shm, in memory, like the heartbeat files) unless
the variable names one, which it then empties of a previous run's values; and removes its
own when it stops. Nothing here imports prometheus-client before that variable is set.
"""

import logging.config
import os
import shutil
import tempfile
from pathlib import Path

from gunicorn.glogging import Logger

from watchlist.observability.logs import gunicorn_logging_config, log_format_from_env

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
SHM = Path("/dev/shm")  # noqa: S108 - a RAM-backed directory; ours in it is made by mkdtemp

created = []  # the directory this master made, removed on exit


class GunicornLogger(Logger):
    """gunicorn's logger (the `logger_class` setting), its lines in DJANGO_LOG_FORMAT.

    Configured with `accesslog` off, gunicorn does not even build its access line.
    """

    def setup(self, cfg):
        super().setup(cfg)
        logging.config.dictConfig(gunicorn_logging_config(log_format_from_env()))


def on_starting(server):
    os.environ[DIRECTORY_VARIABLE] = str(prepare_directory(os.environ.get(DIRECTORY_VARIABLE)))


def prepare_directory(chosen=None):
    """The metrics directory, empty: `chosen` (emptied of a previous run's files), or a new
    private one named after this process (`watchlist-metrics-<pid>-*`)."""
    if chosen:
        directory = Path(chosen)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        return directory
    base = SHM if SHM.is_dir() else None
    directory = Path(tempfile.mkdtemp(prefix=private_prefix(os.getpid()), dir=base))
    created.append(directory)
    return directory


def private_prefix(pid):
    return f"watchlist-metrics-{pid}-"


def private_directories(pid):
    """The private metrics directories in /dev/shm of the master with this pid: its own
    while it runs; after a SIGKILL, which skips `on_exit`, what it leaves."""
    return list(SHM.glob(f"{private_prefix(pid)}*"))


def child_exit(server, worker):
    # A dead worker's counts stay in the sums; only its "live" gauges (none so far) go.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, os.environ[DIRECTORY_VARIABLE])


def on_exit(server):
    while created:
        shutil.rmtree(created.pop(), ignore_errors=True)
