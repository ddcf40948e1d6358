"""The sources `dltrends collect` knows: which collector, which streams, which items from the registry."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import duckdb

from collectors import (
    clickpy,
    conda,
    github,
    github_history,
    hf,
    mlperf,
    npm,
    osv,
    pypi,
    pypistats,
    stackoverflow,
)
from collectors.base import Collector, SourceFailure, Stream
from collectors.common import utc_today
from dltrends.registry import Registry
from dltrends.settings import Settings
from warehouse.db import reader

log = logging.getLogger(__name__)

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
    collector: type[Collector]
    plan: Callable[[Settings, Registry, list[str] | None], Plan] | None = None
    needs_network: str = ""  # what a user must have for this source to work
    warehouse_plan: Callable[..., Iterable[tuple[Stream, list[str]]]] | None = None
    empty_hint: str = "the registry lists nothing for this source"
    # How old its data may get before `dltrends status`, the Data page and the stale_source alert
    # flag it; None takes the default for its name in jobs/schedule/timetable.py (DEFAULTS), else 2 days.
    fresh_within: dt.timedelta | None = None


def _pypi_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    keys = [p.key for p in registry.packages(nightlies=settings.nightlies, only=only)]
    return [(pypi.PROJECTS, keys)]


class NotReady(SourceFailure):
    """A source that needs another source's data first."""


# Adoption and health signals --------------------------------------------------------------

def _conda_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    if not registry.values("conda", only):
        return [(conda.MONTHLY, [])]
    return [(conda.MONTHLY, conda.months(settings.conda_since, utc_today()))]


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


def _mlperf_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    rounds = [r.strip() for r in settings.mlperf_rounds.split(",") if r.strip()]
    return [(mlperf.ROUNDS, rounds)]


# PyPI downloads ----------------------------------------------------------------------------

def _pypistats_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    """Which series `collect` asks pypistats for, by DLTRENDS_PYPISTATS_SCOPE (docs/sources.md)."""
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
def _repos(registry: Registry, only: list[str] | None) -> list[str]:
    """The registry's GitHub repos (owner/name), in registry order."""
    return [repo for fid, fw in registry.frameworks.items() if not only or fid in only
            for repo in fw.github]


def _github_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    repos = _repos(registry, only)
    if not repos:
        return []
    return [(github.REPOS, repos), (github.RELEASES, repos), (github.RATE_LIMIT, ["github"])]


def _history_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    repos = _repos(registry, only)
    if not repos:
        return []
    h = github_history
    # The issue listing goes before the search counts: a repo whose listing is complete needs none.
    return [(h.COMMITS, repos), (h.STARS, repos), (h.ISSUES, repos), (h.COUNTS, repos),
            (h.RATE_LIMIT, ["github"])]


SOURCES: dict[str, Source] = {
    "pypi": Source(
        name=pypi.NAME,
        title="PyPI JSON API",
        collector=pypi.PypiCollector,
        plan=_pypi_plan,
        empty_hint="no PyPI packages in the registry for them",
        fresh_within=dt.timedelta(hours=6),  # collected hourly: a few failed runs are no alarm
    ),
    "stackoverflow": Source(
        name=stackoverflow.NAME,
        title="StackExchange API",
        collector=stackoverflow.StackOverflowCollector,
        plan=lambda s, r, only: [(stackoverflow.TAGS, r.values("stackoverflow_tags", only))],
        empty_hint="no stackoverflow_tags in the registry for them",
    ),
    "npm": Source(
        name=npm.NAME,
        title="npm downloads API",
        collector=npm.NpmCollector,
        plan=lambda s, r, only: [(npm.DOWNLOADS, r.values("npm", only))],
        empty_hint="no npm packages in the registry for them",
    ),
    "hf": Source(
        name=hf.NAME,
        title="Hugging Face Hub API",
        collector=hf.HubCollector,
        plan=lambda s, r, only: [(hf.LIBRARIES, r.values("hf_library", only))],
        empty_hint="no hf_library in the registry for them",
    ),
    "conda": Source(
        name=conda.NAME,
        title="Anaconda package data",
        collector=conda.CondaCollector,
        plan=_conda_plan,
        empty_hint="no conda names in the registry for them",
    ),
    "osv": Source(
        name=osv.NAME,
        title="OSV vulnerability database",
        collector=osv.OsvCollector,
        warehouse_plan=_osv_plan,
    ),
    "mlperf": Source(
        name=mlperf.NAME,
        title="MLCommons MLPerf results (GitHub)",
        collector=mlperf.MlperfCollector,
        plan=_mlperf_plan,
        needs_network="api.github.com and raw.githubusercontent.com (GITHUB_TOKEN raises the API limit)",
    ),
    "pypistats": Source(
        name=pypistats.NAME,
        title="pypistats.org API",
        collector=pypistats.PypistatsCollector,
        plan=_pypistats_plan,
        needs_network="pypistats.org (30 requests a minute)",
    ),
    "clickpy": Source(
        name=clickpy.NAME,
        title="ClickPy (ClickHouse public PyPI dataset)",
        collector=clickpy.ClickpyCollector,
        warehouse_plan=lambda con, s, r, only, full: clickpy_topup_plan(s, r, only, con),
        needs_network="clickpy-clickhouse.clickhouse.com (HTTPS)",
    ),
    "github": Source(
        name=github.NAME,
        title="GitHub REST and GraphQL APIs",
        collector=github.GitHubCollector,
        plan=_github_plan,
        needs_network="api.github.com (60 requests an hour without GITHUB_TOKEN)",
    ),
    "github-history": Source(
        name=github_history.NAME,
        title="GitHub search, issue listing, star history and git clones",
        collector=github_history.HistoryCollector,
        plan=_history_plan,
        needs_network="api.github.com and github.com (git); a GITHUB_TOKEN for big repos",
    ),
}
# What `dltrends collect` runs without --source: the sources that stay quick on a first run (PyPI:
# one request per package; pypistats: about 70 requests at 30 a minute; GitHub: about 50 of the 60
# tokenless requests an hour; Stack Overflow: one request; npm: a few per package), plus clickpy
# top-ups once a backfill loaded something (`default_sources`). github-history (a backfill of many
# runs), hf (hundreds of pages a day), conda (a large file per month of history), osv (a request
# per advisory on the first run, and it needs PyPI's versions) and mlperf (thousands of files on a
# first import) are asked for by name or scheduled; see docs/sources.md#what-a-first-collect-costs.
DEFAULT_SOURCES = ["pypi", "pypistats", "github", "stackoverflow", "npm"]
