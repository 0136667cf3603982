"""The strict environment helpers, in this process (test_settings.py runs the entry points)."""

import pytest
from django_ratelimit.core import _split_rate

from movies.models import Movie
from watchlist import startup
from watchlist.env import (
    SettingError,
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_rate,
    env_url,
    exit_in_one_line,
)


def test_unset_variables_take_their_defaults(monkeypatch):
    for name in ("WL_FLAG", "WL_COUNT", "WL_ITEMS", "WL_LEVEL", "WL_RATE", "WL_URL"):
        monkeypatch.delenv(name, raising=False)

    assert env_bool("WL_FLAG", True) is True
    assert env_int("WL_COUNT", 3) == 3
    assert env_list("WL_ITEMS", ["a"]) == ["a"]
    assert env_choice("WL_LEVEL", "info", ("debug", "info")) == "info"
    assert env_rate("WL_RATE", "10/min") == "10/min"
    assert env_url("WL_URL", schemes=("redis",)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("TRUE", True), ("yes", True), ("On", True), ("0", False), ("off", False)],
)
def test_booleans_read_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("WL_FLAG", value)

    assert env_bool("WL_FLAG") is expected


@pytest.mark.parametrize(
    ("call", "value", "problem"),
    [
        (lambda: env_bool("WL_VALUE"), "ture", "Not a valid boolean."),
        (lambda: env_bool("WL_VALUE"), "", "Not a valid boolean."),
        (lambda: env_int("WL_VALUE", 1), "two", "Not a valid integer."),
        (lambda: env_int("WL_VALUE", 1, minimum=1), "0", "greater than or equal to 1"),
        (lambda: env_choice("WL_VALUE", "a", ("a", "b")), "c", "must be one of a, b."),
        (lambda: env_rate("WL_VALUE", "off"), "60/month", "Not a rate"),
        (lambda: env_database("WL_VALUE", "sqlite://"), "mysq://x/y", "database URL"),
        (lambda: env_database("WL_VALUE", "sqlite://"), "mysql://u@h/db", "not a SQLite or"),
        (lambda: env_database("WL_VALUE", "sqlite://"), "sqlite://db.sqlite3", "names no file"),
        (lambda: env_database("WL_VALUE", "sqlite://"), "sqlite://", "names no file"),
        (lambda: env_url("WL_VALUE", schemes=("redis",)), "rediss://cache", "valid URL"),
    ],
)
def test_a_malformed_value_is_an_error_naming_the_variable(monkeypatch, call, value, problem):
    monkeypatch.setenv("WL_VALUE", value)

    with pytest.raises(SettingError) as raised:
        call()

    assert str(raised.value).startswith('Environment variable "WL_VALUE" invalid: ')
    assert problem in str(raised.value)
    assert "\n" not in str(raised.value)


def test_lists_drop_blank_items(monkeypatch):
    monkeypatch.setenv("WL_ITEMS", " a.example.com, ,b.example.com ,")

    assert env_list("WL_ITEMS") == ["a.example.com", "b.example.com"]


@pytest.mark.parametrize(("value", "expected"), [("5/s", "5/s"), ("OFF", None), ("0", None)])
def test_rates_are_rates_or_off(monkeypatch, value, expected):
    monkeypatch.setenv("WL_RATE", value)

    assert env_rate("WL_RATE", "1/min") == expected


SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
SECONDS |= {"h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@pytest.mark.parametrize("period", SECONDS)
def test_every_accepted_rate_counts_as_it_reads_for_the_throttles(monkeypatch, period):
    """The settings accept a rate; django-ratelimit, which counts it, must read it the same."""
    monkeypatch.setenv("WL_RATE", f"25/{period}")

    rate = env_rate("WL_RATE", "off")

    assert _split_rate(rate) == (25, SECONDS[period])


def test_entry_points_exit_with_the_one_line():
    with pytest.raises(SystemExit) as raised, exit_in_one_line():
        raise SettingError('Environment variable "WL_VALUE" invalid: Not a valid integer.')

    assert raised.value.code == (
        'Configuration error: Environment variable "WL_VALUE" invalid: Not a valid integer.'
    )


@pytest.mark.django_db
def test_start_up_loads_the_sample_films_without_migrating_when_told(monkeypatch):
    monkeypatch.setenv("MIGRATE_ON_START", "0")
    monkeypatch.setenv("LOAD_SAMPLE_DATA", "1")

    startup.main()

    assert set(Movie.objects.values_list("title", flat=True)) == {
        "Fight Club",
        "The Matrix",
        "Donnie Darko",
        "Inception",
    }


def test_start_up_stops_on_a_malformed_flag(monkeypatch):
    monkeypatch.setenv("MIGRATE_ON_START", "sometimes")

    with pytest.raises(SystemExit) as raised:
        startup.main()

    assert '"MIGRATE_ON_START" invalid: Not a valid boolean.' in str(raised.value.code)
