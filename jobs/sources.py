"""The sources `dltrends collect` knows: which collector, which streams, which items from the registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collectors import mlperf, pypi
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


def _mlperf_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    rounds = [r.strip() for r in settings.mlperf_rounds.split(",") if r.strip()]
    return [(mlperf.ROUNDS, rounds)]


SOURCES: dict[str, Source] = {
    "pypi": Source(
        name=pypi.NAME,
        title="PyPI JSON API",
        make_collector=pypi.PypiCollector.from_settings,
        plan=_pypi_plan,
    ),
    "mlperf": Source(
        name=mlperf.NAME,
        title="MLCommons MLPerf results (GitHub)",
        make_collector=mlperf.MlperfCollector.from_settings,
        plan=_mlperf_plan,
        needs_network="api.github.com and raw.githubusercontent.com (GITHUB_TOKEN raises the API limit)",
    ),
}
DEFAULT_SOURCES = ["pypi"]
