"""Time for the tests: the day the recordings were made, a noon of a given day, a frozen clock."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import time_machine

import collectors.http
from dltrends.registry import load_registry
from jobs.collect.run import collect

# The day the recordings were made: "now" of the collector tests, and when the session's collected
# warehouse is collected (and read), so no answer depends on the day the suite runs.
COLLECTED_AT = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
NOW = COLLECTED_AT  # the frozen "now" of the GitHub tests


def at(day: dt.date, hour: int = 12):
    """Travel to `hour` o'clock UTC of `day`, time ticking on."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC), tick=True)


_clocks: list = []  # the frozen clocks of the running test


@contextmanager
def frozen_time(monkeypatch):
    """Time frozen at NOW; the patched sleep records each wait (`.waits`) and moves time on by it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(round(seconds, 1))
            traveller.shift(seconds)

        monkeypatch.setattr(collectors.http, "_sleep", sleep)
        traveller.waits = waits
        _clocks.append(traveller)
        try:
            yield traveller
        finally:
            _clocks.remove(traveller)


def collect_and_tick(cfg, sources):
    """One collect, then a second passes (raw rows of an item are keyed by their fetch time)."""
    result = collect(cfg, load_registry(cfg.registry), list(sources))
    for traveller in _clocks:
        traveller.shift(1)
    return result
