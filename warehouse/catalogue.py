"""The catalogue of the public views: one place for what a reader needs to know about each.

- Description and columns: each view's `COMMENT ON` texts (warehouse/views/*.sql stay their only
  source), read from a given connection, or from a fresh in-memory warehouse once per process.
- Example queries: `warehouse/examples/<view>.sql`; queries split at blank lines, each titled by
  its leading `--` comment.
- Topic: TOPICS groups the examples (SQL page, `dltrends sql --examples`).
- Fill commands: FILL, the commands that fill each view, which every empty state names.

Adding a public view: write its example file and name it in TOPICS and FILL (a test checks all
three, and that every command is a real CLI command).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

import duckdb

from dltrends.catalogue import ColumnDoc, Example, ViewDoc
from warehouse.db import connect, ensure_shape

EXAMPLES = resources.files("warehouse") / "examples"

COLLECT = "dltrends collect"  # the default run: the quick sources, the registry and the run log
BENCH = "dltrends bench run --spec torch==2.13.0 --spec jax==0.10.2"
ALERTS = "dltrends alerts check"


def collect(*sources: str) -> str:
    """`dltrends collect --source A --source B`; plain `dltrends collect` without sources."""
    return " ".join([COLLECT, *(f"--source {s}" for s in sources)])


def backfill(source: str) -> str:
    return f"dltrends backfill --source {source}"


# Topics group the examples in the SQL console (dashboard SQL page, `dltrends sql --examples`).
# A view that no topic names is listed under "other"; name it here when you add a view.
TOPICS = {
    "frameworks": ["frameworks", "framework_events", "framework_health"],
    "releases": ["releases", "release_files", "minor_series", "release_kinds", "packages"],
    "community": ["repo_stats_daily", "framework_stats_daily", "github_releases",
                  "release_note_items", "community_monthly", "star_history"],
    "downloads": ["downloads_daily", "framework_downloads_daily", "adoption_share",
                  "downloads_by_version", "version_adoption", "downloads_by_python", "downloads_by_os",
                  "downloads_by_installer", "downloads_by_country", "downloads_by_ci",
                  "download_source_comparison"],
    "adoption": ["conda_downloads_monthly", "hub_models_daily", "stackoverflow_tags_daily",
                 "npm_downloads_daily"],
    "security": ["vulnerabilities", "latest_release_vulnerabilities"],
    "performance": ["benchmark_runs", "benchmark_results", "benchmark_regressions", "mlperf_results"],
    "operations": ["collector_runs", "source_status", "source_health", "alerts"],
}
OTHER_TOPIC = "other"

_DOWNLOADS = (collect("pypistats"), backfill("clickpy"))  # the recent days, or the full history
_HISTORY = (backfill("clickpy"),)  # series pypistats does not have, or not that far back

# The commands that fill each view, the usual one first; an empty state names them.
FILL: dict[str, tuple[str, ...]] = {
    "frameworks": (COLLECT,),
    "framework_events": (COLLECT,),
    "framework_health": (collect("pypi", "github-history", "osv"),),  # the health inputs
    "releases": (collect("pypi"),),
    "minor_series": (collect("pypi"),),
    "release_kinds": (collect("pypi"),),
    "release_files": (collect("pypi"),),
    "packages": (collect("pypi"),),
    "repo_stats_daily": (collect("github"),),
    "framework_stats_daily": (collect("github"),),
    "github_releases": (collect("github"),),
    "release_note_items": (collect("github"),),
    "community_monthly": (collect("github-history"),),
    "star_history": (collect("github", "github-history"),),
    "downloads_daily": _DOWNLOADS,
    "framework_downloads_daily": _DOWNLOADS,
    "adoption_share": _DOWNLOADS,
    "downloads_by_version": _HISTORY,
    "version_adoption": _HISTORY,
    "downloads_by_python": _HISTORY,
    "downloads_by_os": _HISTORY,
    "downloads_by_installer": _HISTORY,
    "downloads_by_country": _HISTORY,
    "downloads_by_ci": (backfill("bigquery"),),
    "download_source_comparison": _HISTORY,
    "conda_downloads_monthly": (collect("conda"),),
    "hub_models_daily": (collect("hf"),),
    "stackoverflow_tags_daily": (collect("stackoverflow"),),
    "npm_downloads_daily": (collect("npm"),),
    "vulnerabilities": (collect("pypi", "osv"),),
    "latest_release_vulnerabilities": (collect("pypi", "osv"),),
    "benchmark_runs": (BENCH,),
    "benchmark_results": (BENCH,),
    "benchmark_regressions": (BENCH,),
    "mlperf_results": (collect("mlperf"),),
    "collector_runs": (COLLECT,),
    "source_status": (COLLECT,),
    "source_health": (COLLECT,),
    "alerts": (ALERTS,),
}


def command_for(*views: str) -> str:
    """What fills the views, as an empty state names it inside backticks: the `dltrends collect`
    sources they need in one command, then each other command as an alternative (`a` / `b`)."""
    sources: list[str] = []
    others: list[str] = []
    for view in views:
        for command in FILL.get(view, (COLLECT,)):
            words = command.split()
            if words[:3] == ["dltrends", "collect", "--source"]:
                sources += [s for s in words[3::2] if s not in sources]
            elif command not in others:
                others.append(command)
    if sources:
        others = [collect(*sources), *(c for c in others if c != COLLECT)]
    return "` / `".join(others)


def topic_of(view: str) -> str:
    return next((topic for topic, views in TOPICS.items() if view in views), OTHER_TOPIC)


@functools.cache
def _example_texts() -> dict[str, str]:
    files = (f for f in EXAMPLES.iterdir() if f.name.endswith(".sql"))
    return {f.name.removesuffix(".sql"): f.read_text(encoding="utf-8").strip() for f in files}


def view_examples(view: str) -> tuple[Example, ...]:
    """The view's example queries; its file splits at blank lines into queries."""
    out = []
    for chunk in (c.strip() for c in _example_texts().get(view, "").split("\n\n")):
        if not chunk:
            continue
        first = chunk.splitlines()[0]
        title = first.removeprefix("--").strip() if first.startswith("--") else view
        out.append(Example(topic_of(view), view, title, chunk))
    return tuple(out)


def examples() -> list[Example]:
    """Every example query, in topic order and in each topic in the order TOPICS names the views."""
    order = [*TOPICS, OTHER_TOPIC]
    views = [v for topic in TOPICS.values() for v in topic]
    named = sorted(_example_texts(), key=lambda v: (order.index(topic_of(v)),
                                                    views.index(v) if v in views else len(views), v))
    return [example for view in named for example in view_examples(view)]


def catalogue(con: duckdb.DuckDBPyConnection | None = None) -> Mapping[str, ViewDoc]:
    """Every public view by name (in name order): read from `con`, or, without one, from a fresh
    in-memory warehouse of this version of the code (built once per process)."""
    return read(con) if con is not None else _fresh()


@functools.cache
def _fresh() -> Mapping[str, ViewDoc]:
    con = connect(":memory:")
    try:
        ensure_shape(con)
        return MappingProxyType(read(con))
    finally:
        con.close()


def read(con: duckdb.DuckDBPyConnection) -> dict[str, ViewDoc]:
    """The public views of the database behind `con`, with their COMMENT texts."""
    views = con.execute(
        "SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal "
        "AND NOT temporary ORDER BY view_name").fetchall()
    columns: dict[str, list[ColumnDoc]] = {name: [] for name, _ in views}
    for view, name, type_, comment in con.execute(
            "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal ORDER BY table_name, column_index").fetchall():
        if view in columns:
            columns[view].append(ColumnDoc(name, type_, comment or ""))
    return {name: ViewDoc(name, comment or "", tuple(columns[name]), view_examples(name),
                          topic_of(name), FILL.get(name, (COLLECT,)))
            for name, comment in views}
