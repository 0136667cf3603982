"""gunicorn settings, read by `gunicorn -c watchlist/gunicorn.conf.py watchlist.wsgi`.

Values come from the environment so that a container platform can tune them, read by the
same strict helpers as the Django settings. The Django settings are loaded here too, in the
master: a malformed variable then stops the server with one line, before any worker starts,
instead of every worker failing to boot with a traceback.
"""

import importlib
import multiprocessing
import os

from watchlist.env import env_choice, env_int, env_str, exit_in_one_line
from watchlist.observability import gunicorn_setup

with exit_in_one_line():
    # Container platforms say where to listen in PORT.
    bind = f"0.0.0.0:{env_int('PORT', 8000, minimum=1, maximum=65535)}"

    # Threaded workers keep client connections alive (sync workers close each one) and
    # overlap database waits; one process per core keeps CPU-bound work parallel. Two
    # threads measured best with SQLite (make bench): more threads queue on its single
    # writer, whose busy wait sleeps in milliseconds; a PostgreSQL deployment may raise
    # GUNICORN_THREADS (each worker's connection pool is DJANGO_DB_POOL_MAX_SIZE).
    worker_class = "gthread"
    workers = env_int("WEB_CONCURRENCY", multiprocessing.cpu_count(), minimum=1)
    threads = env_int("GUNICORN_THREADS", 2, minimum=1)
    keepalive = 5

    timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
    # On SIGTERM, in-flight requests get this long to finish before workers are killed.
    graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 25, minimum=1)

    # Off by default: a fast app reaches any sensible limit within seconds, and every
    # recycle costs a Django start-up (measured: --max-requests 10000 cut throughput by a
    # third). Set it to contain a memory leak, should one appear.
    max_requests = env_int("GUNICORN_MAX_REQUESTS", 0)
    max_requests_jitter = max_requests // 10

    loglevel = env_choice(
        "GUNICORN_LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")
    )
    # Trust X-Forwarded-* only from the given proxy addresses (comma-separated).
    forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    # Whether a request came over HTTPS is Django's to decide, from X-Forwarded-Proto only
    # when DJANGO_SECURE_PROXY_SSL_HEADER says a proxy sets it: gunicorn's own reading of
    # that header (from any address above) would make the switch's "off" mean nothing.
    secure_scheme_headers = {}

    importlib.import_module(os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchlist.settings"))

# The heartbeat file lives in memory: a slow or read-only disk must not stall workers.
SHM = "/dev/shm"  # noqa: S108 - a RAM-backed directory, not a shared temp file
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

errorlog = "-"

# No runtime control socket: it would be written to $HOME (read-only in a container), and
# two servers on one machine would fight over its fixed path.
control_socket_disable = True

# --- Observability (watchlist.observability, docs/operating/observability.md) -------------
# The access line is Django's, one a request with its route, user and request id; gunicorn's
# own would repeat it without them. gunicorn's other lines take the application's format.
accesslog = None
logger_class = gunicorn_setup.GunicornLogger
# The workers' metrics files: a directory made on start, a dead worker's files tidied, the
# directory removed on exit.
on_starting = gunicorn_setup.on_starting
child_exit = gunicorn_setup.child_exit
on_exit = gunicorn_setup.on_exit
