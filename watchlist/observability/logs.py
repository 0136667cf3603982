"""Log lines on stdout, for people (`text`) or for a log pipeline (`json`, one object a line).

Django's settings (LOGGING) and gunicorn's own loggers (watchlist/gunicorn.conf.py) are set
up from here, so that every line a process writes has one format. Each line written while a
request is served carries its `request_id`. Nothing here imports Django: gunicorn's master
reads it before any application code is loaded.
"""

import logging
import os
import sys
from datetime import UTC, datetime

import orjson
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter

from watchlist.observability.request_context import current

LOG_FORMATS = ("json", "text")
LOG_FORMAT_VARIABLE = "DJANGO_LOG_FORMAT"
# One line a request, written by watchlist.observability.middleware.
ACCESS_LOGGER = "watchlist.access"

# Values a record may carry beyond its own attributes (`extra=`): scalars only, so that an
# object a library attaches (Django attaches the request to its records) is never rendered.
SCALARS = (str, int, float, bool)
RECORD_ATTRIBUTES = frozenset(RESERVED_ATTRS)


class RequestContextFilter(logging.Filter):
    """Adds the id of the request being served (if any) to each record, as `request_id`."""

    def filter(self, record):
        context = current.get()
        if context is not None:
            record.request_id = context.request_id
        return True


class JsonFormatter(OrjsonFormatter):
    """python-json-logger's orjson formatter, with fixed leading fields (`time`, `level`,
    `logger`, `message`) and a record's scalar extras after them (`request_id`, and for
    the access line `method`, `route`, `status`, `duration_ms`...); a traceback, when there
    is one, in `exc_info`. (Its default would render any extra, objects included, and scan
    the record's attributes more slowly: this is the line written for every request.)"""

    def add_fields(self, log_data, record, message_dict):
        log_data.update(
            leading_fields(
                datetime.fromtimestamp(record.created, UTC),
                record.levelname,
                record.name,
                record.message,
            )
        )
        for name, value in record.__dict__.items():
            if name not in RECORD_ATTRIBUTES and isinstance(value, SCALARS) and name[0] != "_":
                log_data[name] = value
        log_data.update(message_dict)


def leading_fields(time, level, logger, message):
    return {"time": time, "level": level, "logger": logger, "message": message}


class AccessLog:
    """Writes the access line, one a request (watchlist.observability.middleware).

    In JSON the line is rendered and written here, whole, in one write to stdout (where the
    LOGGING handler writes too): a record through logging's machinery (the LogRecord, the
    handler's lock, filter and formatter) costs three times as much, and this line is
    written for every request (bench/inprocess.py). A test checks that it is the line
    JsonFormatter writes for the same record. In text, for people, it is an ordinary record.
    Either way the logger's level can turn it off.
    """

    def __init__(self, log_format, stream=None):
        self.logger = logging.getLogger(ACCESS_LOGGER)
        self.enabled = self.logger.isEnabledFor(logging.INFO)
        if log_format == "json":
            self.descriptor = (stream or sys.stdout).fileno()
            self.write = self.write_json

    def write(self, message, fields):
        """`message` and the `fields` (request_id first) of one request's line."""
        self.logger.handle(
            self.logger.makeRecord(
                ACCESS_LOGGER, logging.INFO, __file__, 0, message, None, None, extra=fields
            )
        )

    def write_json(self, message, fields):
        line = leading_fields(datetime.now(UTC), "INFO", ACCESS_LOGGER, message)
        line.update(fields)
        os.write(self.descriptor, orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))


FORMATTERS = {
    "json": {"()": JsonFormatter},
    "text": {
        "()": logging.Formatter,
        "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        "defaults": {"request_id": "-"},
    },
}


def log_format_from_env(default="text"):
    """DJANGO_LOG_FORMAT's value (`json` or `text`); ValueError for anything else."""
    log_format = os.environ.get(LOG_FORMAT_VARIABLE, "").strip().lower() or default
    if log_format not in LOG_FORMATS:
        raise ValueError(f"{LOG_FORMAT_VARIABLE} must be one of {', '.join(LOG_FORMATS)}")
    return log_format


def logging_config(log_format, level="INFO", loggers=None):
    """A `logging.config.dictConfig` dictionary: every record to stdout in `log_format`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": RequestContextFilter}},
        "formatters": {"main": dict(FORMATTERS[log_format])},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "main",
                "filters": ["request_context"],
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": loggers or {},
    }


def gunicorn_logging_config(log_format):
    """For gunicorn's master and workers: its own lines (start, stop, worker timeouts) in
    the same format, to the same stdout; their level stays gunicorn's `loglevel`."""
    own = {"handlers": [], "propagate": True}
    return logging_config(log_format, loggers={"gunicorn.error": own})
