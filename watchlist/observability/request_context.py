"""The request being served in this thread: its id, and the queries it has made so far.

Log lines written while a request is served carry its id (logs.RequestContextFilter), and
so do error reports (error_reports): both read it here, wherever they are written from.
"""

import contextvars
import itertools
import os
import re
import secrets


class RequestContext:
    __slots__ = ("queries", "request_id", "session_user")

    def __init__(self, request_id):
        self.request_id = request_id
        self.queries = 0
        self.session_user = None  # once the view has looked it up


current = contextvars.ContextVar("watchlist_request", default=None)

# An id from a proxy or client is kept when it is a plain token of sane length (a UUID, a
# proxy's hex or base64 id); anything else is replaced, so no raw header reaches a log line.
is_sane_request_id = re.compile(r"[\w.:/+=@-]{1,128}", re.ASCII).fullmatch


def request_id_for(incoming):
    """The id of a request that sent `incoming` as X-Request-ID (None if it sent none)."""
    if incoming is not None and is_sane_request_id(incoming):
        return incoming
    return new_request_id()


def new_request_id():
    """A process-wide random prefix and a counter: unique across processes and machines
    (64 random bits a process) at a seventh of the cost of a uuid4 a request."""
    return f"{_prefix}-{next(_sequence):x}"


def _start_sequence():
    global _prefix, _sequence
    _prefix = secrets.token_hex(8)
    _sequence = itertools.count(1)


_start_sequence()
# A forked worker (gunicorn's preload, multiprocessing) must not repeat its parent's ids.
os.register_at_fork(after_in_child=_start_sequence)


def forget_request(**kwargs):
    """On `request_finished` (the response is closed): nothing more is written for it."""
    current.set(None)


def count_query(execute, sql, params, many, context):
    """A database execute wrapper, on every connection (apps.py): counts the queries of the
    request being served."""
    state = current.get()
    if state is not None:
        state.queries += 1
    return execute(sql, params, many, context)
