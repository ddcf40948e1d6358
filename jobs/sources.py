"""The sources `dltrends collect` knows: which collector, which streams, which items from the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collectors import pypi
from collectors.base import Stream
from dltrends.registry import Registry
from dltrends.settings import Settings

Plan = list[tuple[Stream, list[str]]]


@dataclass(frozen=True)
class Source:
    name: str
    title: str  # shown in captions: "PyPI JSON API"
    make_collector: Callable[[Settings, Callable[[float], None] | None], Any]
    plan: Callable[[Settings, Registry, list[str] | None], Plan]
    needs_network: str = ""  # what a user must have for this source to work
    # How old its data may get before `dltrends status`, the Data page and the stale_source alert
    # flag it; None takes the default for its name in jobs/schedule.py (DEFAULTS), else 2 days.
    fresh_within: dt.timedelta | None = None


def _pypi_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    keys = [p.key for p in registry.packages(nightlies=settings.nightlies, only=only)]
    return [(pypi.PROJECTS, keys)]


SOURCES: dict[str, Source] = {
    "pypi": Source(
        name=pypi.NAME,
        title="PyPI JSON API",
        make_collector=pypi.PypiCollector.from_settings,
        plan=_pypi_plan,
        fresh_within=dt.timedelta(hours=6),  # collected hourly: a few failed runs are no alarm
    ),
}
DEFAULT_SOURCES = ["pypi"]
