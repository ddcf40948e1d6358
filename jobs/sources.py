"""The sources `dltrends collect` knows: which collector, which streams, which items from the registry."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb

from collectors import clickpy, pypi, pypistats
from collectors.base import Stream
from dltrends.registry import Registry
from dltrends.settings import Settings
from warehouse.db import reader

log = logging.getLogger(__name__)

Plan = list[tuple[Stream, list[str]]]


@dataclass(frozen=True)
class Source:
    name: str
    title: str  # shown in captions: "PyPI JSON API"
    make_collector: Callable[[Settings, Callable[[float], None] | None], Any]
    plan: Callable[..., Plan]  # (settings, registry, frameworks[, working connection]) -> plan
    needs_network: str = ""  # what a user must have for this source to work
    needs_warehouse: bool = False  # plan() also gets the working connection (reads fetch state)


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


def clickpy_topup_plan(settings: Settings, registry: Registry, only: list[str] | None,
                       con: duckdb.DuckDBPyConnection) -> Iterator[tuple[Stream, list[str]]]:
    """Daily top-ups: every stream of every package a backfill has loaded, from its cursor on."""
    tracked = {p.key for p in registry.packages(nightlies=settings.nightlies, only=only)}
    until = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=clickpy.LAG_DAYS)
    years = sorted({(until - dt.timedelta(days=clickpy.OVERLAP_DAYS + 31)).year, until.year})
    if not _state_keys(con, "clickpy", "totals"):
        log.warning("clickpy: nothing to top up yet; run `dltrends backfill --source clickpy` first")
    for name, stream in clickpy.STREAMS.items():
        known = set(_state_keys(con, "clickpy", name))
        loaded = sorted({k.partition(":")[0] for k in known} & tracked)
        if name == "totals":
            yield stream, loaded
        else:  # last year's item only while it may still be open (the first days of January)
            yield stream, [f"{p}:{y}" for p in loaded for y in years
                           if y == until.year or f"{p}:{y}" in known]


def clickpy_backfill_plan(settings: Settings, registry: Registry, only: list[str] | None,
                          con: duckdb.DuckDBPyConnection, since: dt.date, until: dt.date
                          ) -> Iterator[tuple[Stream, list[str]]]:
    """Totals first (one query per package); then each breakdown per package and year, from the
    first year the totals show downloads, so years before a package existed cost no query."""
    keys = [p.key for p in registry.packages(nightlies=settings.nightlies, only=only)]
    yield clickpy.TOTALS, keys
    first = dict(con.execute(
        "SELECT package_key, year(min(day)) FROM core.pypi_downloads WHERE source = 'clickpy' "
        "AND dimension = 'total' AND downloads > 0 AND day BETWEEN ? AND ? GROUP BY 1",
        [since, until]).fetchall())
    for name in clickpy.BREAKDOWNS:
        yield clickpy.STREAMS[name], [f"{k}:{y}" for k in keys if k in first
                                      for y in range(first[k], until.year + 1)]


def _state_keys(con: duckdb.DuckDBPyConnection, source: str, stream: str) -> list[str]:
    rows = con.execute("SELECT item_key FROM core.fetch_state WHERE source = ? AND stream = ?",
                       [source, stream]).fetchall()
    return [r[0] for r in rows]


def default_sources(settings: Settings) -> list[str]:
    """What `collect` runs without --source: pypi, pypistats, and clickpy top-ups once a
    `dltrends backfill --source clickpy` has loaded something (read from the published file)."""
    sources = list(DEFAULT_SOURCES)
    if not settings.db.exists():
        return sources
    try:
        with reader(settings.db) as con:
            backfilled = con.execute("SELECT count(*) FROM core.fetch_state WHERE source = 'clickpy'"
                                     ).fetchall()[0][0]
    except duckdb.Error as exc:  # an older file without the table, or a damaged one
        log.debug("could not read the clickpy state from %s: %s", settings.db, exc)
        return sources
    return sources + ["clickpy"] if backfilled else sources


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
    "clickpy": Source(
        name=clickpy.NAME,
        title="ClickPy (ClickHouse public PyPI dataset)",
        make_collector=clickpy.ClickpyCollector.from_settings,
        plan=clickpy_topup_plan,
        needs_network="clickpy-clickhouse.clickhouse.com (HTTPS)",
        needs_warehouse=True,
    ),
}
DEFAULT_SOURCES = ["pypi", "pypistats"]
