"""gunicorn settings, read by `gunicorn -c watchlist/gunicorn.conf.py watchlist.wsgi`.

Values come from the environment so that a container platform can tune them.
"""

import multiprocessing
import os

from watchlist.observability import gunicorn_setup

# Container platforms say where to listen in PORT.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# Threaded workers keep client connections alive (sync workers close each one) and overlap
# database waits; one process per core keeps CPU-bound work parallel. Two threads measured
# best with SQLite (make bench): more threads queue on its single writer, whose busy wait
# sleeps in milliseconds; a PostgreSQL deployment may raise GUNICORN_THREADS.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
keepalive = 5

# The heartbeat file lives in memory: a slow or read-only disk must not stall workers.
SHM = "/dev/shm"  # noqa: S108 - a RAM-backed directory, not a shared temp file
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM, in-flight requests get this long to finish before workers are killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))

# Off by default: a fast app reaches any sensible limit within seconds, and every recycle
# costs a Django start-up (measured: --max-requests 10000 cut throughput by a third).
# Set it to contain a memory leak, should one appear.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10

errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Trust X-Forwarded-* only from the given proxy addresses (comma-separated).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No runtime control socket: it would be written to $HOME (read-only in a container), and
# two servers on one machine would fight over its fixed path.
control_socket_disable = True

# --- Observability (watchlist.observability, README "Operating") ---------------------------
# The access line is Django's, one a request with its route, user and request id; gunicorn's
# own would repeat it without them. gunicorn's other lines take the application's format.
accesslog = None
logger_class = gunicorn_setup.GunicornLogger
# The workers' metrics files: a directory made on start, a dead worker's files tidied, the
# directory removed on exit.
on_starting = gunicorn_setup.on_starting
child_exit = gunicorn_setup.child_exit
on_exit = gunicorn_setup.on_exit
