"""The sources `dltrends collect` knows: which collector, which streams, which items from the registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collectors import pypi, pypistats
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


def _pypi_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    keys = [p.key for p in registry.packages(nightlies=settings.nightlies, only=only)]
    return [(pypi.PROJECTS, keys)]


def _pypistats_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    """Which series `collect` asks pypistats for, by DLTRENDS_PYPISTATS_SCOPE (see README)."""
    packages = registry.packages(nightlies=settings.nightlies, only=only)
    primary = [p.key for p in packages if p.role == "primary"]
    counted = [p.key for p in packages if p.counted]
    every = [p.key for p in packages]
    totals, mixes = {"primary": (primary, primary), "counted": (counted, primary),
                     "all": (every, every)}[settings.pypistats_scope]
    return [(pypistats.OVERALL, totals), (pypistats.PYTHON_MINOR, mixes),
            (pypistats.SYSTEM, mixes)]


SOURCES: dict[str, Source] = {
    "pypi": Source(
        name=pypi.NAME,
        title="PyPI JSON API",
        make_collector=pypi.PypiCollector.from_settings,
        plan=_pypi_plan,
    ),
    "pypistats": Source(
        name=pypistats.NAME,
        title="pypistats.org API",
        make_collector=pypistats.PypistatsCollector.from_settings,
        plan=_pypistats_plan,
        needs_network="pypistats.org (30 requests a minute)",
    ),
}
DEFAULT_SOURCES = ["pypi", "pypistats"]
