"""The sources `dltrends collect` knows: which collector, which streams, which items from the registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb

from collectors import conda, hf, npm, osv, pypi, stackoverflow
from collectors.base import Stream
from collectors.common import SourceFailure, utc_today
from dltrends.registry import Registry, load_registry
from dltrends.settings import Settings

Plan = list[tuple[Stream, list[str]]]


@dataclass(frozen=True)
class Source:
    """A `collect --source` name: its collector and the items it fetches.

    `plan` lists the items from the registry; a source whose items come from the warehouse (OSV asks
    about every collected PyPI version) gives `warehouse_plan(con, settings, registry, frameworks,
    full)` instead, an iterable of (stream, keys) read lazily, stream after stream.
    """

    name: str
    title: str  # shown in captions: "PyPI JSON API"
    make_collector: Callable[[Settings, Callable[[float], None] | None], Any]
    plan: Callable[[Settings, Registry, list[str] | None], Plan] | None = None
    needs_network: str = ""  # what a user must have for this source to work
    warehouse_plan: Callable[..., Iterable[tuple[Stream, list[str]]]] | None = None
    empty_hint: str = "the registry lists nothing for this source"


def _pypi_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    keys = [p.key for p in registry.packages(nightlies=settings.nightlies, only=only)]
    return [(pypi.PROJECTS, keys)]


class NotReady(SourceFailure):
    """A source that needs another source's data first."""


# Issue 5: adoption and health signals --------------------------------------------------------

def _registry_values(registry: Registry, only: list[str] | None, field: str) -> list[str]:
    """A registry list (or string) field's values over the selected frameworks, first seen first."""
    values: dict[str, None] = {}
    for fid, fw in registry.frameworks.items():
        if only and fid not in only:
            continue
        value = getattr(fw, field)
        for v in [value] if isinstance(value, str) else value:
            if v:
                values[v] = None
    return list(values)


def _conda_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    if not _registry_values(registry, only, "conda"):
        return [(conda.MONTHLY, [])]
    return [(conda.MONTHLY, conda.months(settings.conda_since, utc_today()))]


def _conda_collector(settings: Settings, sleep: Callable[[float], None] | None):
    """Every month file is read for all the registry's conda names, whatever --framework says, so
    a month's rows are complete and reading it again is needed only when the registry changes."""
    names = _registry_values(load_registry(settings.registry), None, "conda")
    return conda.CondaCollector.from_settings(settings, sleep, packages=names)


def _osv_plan(con: duckdb.DuckDBPyConnection, settings: Settings, registry: Registry,
              only: list[str] | None, full: bool = False) -> Iterator[tuple[Stream, list[str]]]:
    """Every collected version of the tracked packages, then the advisories not yet up to date."""
    packages = sorted({p.key for p in registry.packages(nightlies=settings.nightlies, only=only)})
    rows = con.execute(
        "SELECT package_key, version FROM core.pypi_releases WHERE removed_at IS NULL "
        "AND package_key IN (SELECT unnest(?::VARCHAR[])) ORDER BY package_key, version_rank, version",
        [packages]).fetchall()
    if not rows:
        raise NotReady("osv asks about the PyPI versions dltrends has collected, and there are none "
                       "for the selected frameworks yet: run `dltrends collect --source pypi` first")
    yield osv.QUERIES, [osv.query_key(p, v) for p, v in rows]
    ids = con.execute(
        "SELECT DISTINCT v.vuln_id FROM core.osv_version_vulns v "
        "LEFT JOIN core.osv_advisories a USING (vuln_id) "
        "WHERE v.removed_at IS NULL AND v.package_key IN (SELECT unnest(?::VARCHAR[])) "
        "AND (? OR a.vuln_id IS NULL OR v.modified > a.modified) ORDER BY 1",
        [packages, full]).fetchall()
    yield osv.ADVISORIES, [r[0] for r in ids]


SOURCES: dict[str, Source] = {
    "pypi": Source(
        name=pypi.NAME,
        title="PyPI JSON API",
        make_collector=pypi.PypiCollector.from_settings,
        plan=_pypi_plan,
        empty_hint="no PyPI packages in the registry for them",
    ),
    "stackoverflow": Source(
        name=stackoverflow.NAME,
        title="StackExchange API",
        make_collector=stackoverflow.StackOverflowCollector.from_settings,
        plan=lambda s, r, only: [(stackoverflow.TAGS, _registry_values(r, only, "stackoverflow_tags"))],
        empty_hint="no stackoverflow_tags in the registry for them",
    ),
    "npm": Source(
        name=npm.NAME,
        title="npm downloads API",
        make_collector=npm.NpmCollector.from_settings,
        plan=lambda s, r, only: [(npm.DOWNLOADS, _registry_values(r, only, "npm"))],
        empty_hint="no npm packages in the registry for them",
    ),
    "hf": Source(
        name=hf.NAME,
        title="Hugging Face Hub API",
        make_collector=hf.HubCollector.from_settings,
        plan=lambda s, r, only: [(hf.LIBRARIES, _registry_values(r, only, "hf_library"))],
        empty_hint="no hf_library in the registry for them",
    ),
    "conda": Source(
        name=conda.NAME,
        title="Anaconda package data",
        make_collector=_conda_collector,
        plan=_conda_plan,
        empty_hint="no conda names in the registry for them",
    ),
    "osv": Source(
        name=osv.NAME,
        title="OSV vulnerability database",
        make_collector=osv.OsvCollector.from_settings,
        warehouse_plan=_osv_plan,
    ),
}
# What `dltrends collect` runs without --source: the sources that stay quick on a first run (PyPI:
# one request per package; Stack Overflow: one request; npm: a few per package). hf (hundreds of
# pages a day), conda (a large file per month of history) and osv (a request per advisory on the
# first run, and it needs PyPI's versions) are asked for by name; see README "More signals".
DEFAULT_SOURCES = ["pypi", "stackoverflow", "npm"]
