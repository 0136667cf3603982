"""Serializer fields that accept what the Flask-era clients send."""

import math
import re
from datetime import UTC, datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# 9999-12-31T23:59:59Z, the last second a Python date can hold.
MAX_TIMESTAMP = 253_402_300_799
# Below this a number sent to the JSON API is taken for a year, never a timestamp (which
# would put the film in 1970); the Flask app's route reads every number as a timestamp.
MIN_JSON_TIMESTAMP = 10_000
# A number as JSON or a form writes it: digits, a fraction, an exponent (no nan or inf);
# and an ISO 8601 calendar date. ASCII digits only: Python reads the digits of every script.
NUMERIC = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", re.ASCII)
ISO_DATE = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*", re.ASCII)


class ReleaseDateField(serializers.DateField):
    """An ISO 8601 date (`1999-09-15`), or a UNIX timestamp in seconds, read in UTC.

    The Flask app took only timestamps (form field, parsed as a float), and its route still
    reads any number so. Elsewhere a number under 10,000 is refused, as the year it most
    likely is (`release_year` takes years). Negative timestamps are refused: a film released
    before 1970 is given as an ISO date.
    """

    default_error_messages = {
        "invalid": _("Enter a date as YYYY-MM-DD or a UNIX timestamp in seconds."),
        "timestamp_range": _("A timestamp must be between 0 and {maximum} seconds."),
        "year": _("{value} is not a date: send a year as release_year, a date as YYYY-MM-DD."),
    }

    def to_internal_value(self, value):
        if isinstance(value, bool):
            self.fail("invalid")
        if isinstance(value, str) and NUMERIC.fullmatch(value):
            value = float(value)
        if isinstance(value, int | float):
            return self.date_from_timestamp(value)
        if isinstance(value, str) and not ISO_DATE.fullmatch(value):
            self.fail("invalid")  # DRF would take "1999-9-15", and digits of any script
        return super().to_internal_value(value.strip() if isinstance(value, str) else value)

    def date_from_timestamp(self, seconds):
        if isinstance(seconds, float) and not math.isfinite(seconds):
            self.fail("invalid")
        if not 0 <= seconds <= MAX_TIMESTAMP:
            self.fail("timestamp_range", maximum=MAX_TIMESTAMP)
        # The serializer's context says when the Flask app's route is being served.
        if seconds < MIN_JSON_TIMESTAMP and not self.context.get("any_timestamp"):
            self.fail("year", value=f"{seconds:g}")
        return datetime.fromtimestamp(seconds, tz=UTC).date()


class StrictCharField(serializers.CharField):
    """A CharField that takes only strings (DRF's would store the number 0 as "0") and
    applies max_length to the text as sent, as the OpenAPI schema states it, before trimming."""

    default_error_messages = {"not_a_string": _("Enter text, not {kind}.")}
    KINDS = {
        bool: _("true or false"),
        int: _("a number"),
        float: _("a number"),
        list: _("a list"),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", kind=self.KINDS.get(type(data), _("an object")))
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)
