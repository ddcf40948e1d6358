"""The alert rules: functions over the public views, registered by name.

A rule declares the views and columns it reads (`needs`); a column may list alternatives, the
first one present is used. Until every needed view exists with data (a source that is not
collected yet, a feature not installed) the rule finds nothing, so a new signal plugs in by adding
one `@rule` function here. Each finding becomes an `Alert` whose `key` makes it raised once.

`baseline=True` marks rules over histories (advisories, regressions): what such a rule finds the
first time it sees data is recorded as the starting point and not sent, so turning it on does not
flood the channels with years of history. Rules over recent windows and current states (new
releases of the last days, stale or failing sources) send what they find from the start.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from dltrends.settings import Settings
from warehouse.db import has_rows
from warehouse.db import quote_ident as _q

Columns = dict[str, str]  # wanted column (first alternative) -> the name the view has


@dataclass(frozen=True)
class Alert:
    key: str  # rule:subject:what, stable across evaluations
    rule: str
    subject: str
    title: str
    url: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def detail_json(self) -> str:
        return json.dumps(self.detail, default=str, sort_keys=True)


@dataclass(frozen=True)
class Context:
    con: duckdb.DuckDBPyConnection
    settings: Settings
    now: dt.datetime
    columns: dict[str, Columns]  # view -> resolved columns of what the rule needs

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


Need = str | tuple[str, ...]  # a column, or alternatives in order of preference


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    needs: dict[str, tuple[Need, ...]]  # view -> columns
    find: Callable[[Context], list[Alert]]
    baseline: bool = False


RULES: dict[str, Rule] = {}


def rule(name: str, description: str, needs: dict[str, tuple[Need, ...]], baseline: bool = False):
    """Register a rule function under `name`."""

    def register(func: Callable[[Context], list[Alert]]) -> Callable[[Context], list[Alert]]:
        RULES[name] = Rule(name, description, needs, func, baseline)
        return func

    return register


def resolve(con: duckdb.DuckDBPyConnection, needs: dict[str, tuple[Need, ...]]
            ) -> dict[str, Columns] | str:
    """The columns each needed view offers, or why the rule cannot run yet (missing view/column)."""
    out: dict[str, Columns] = {}
    for view, wanted in needs.items():
        have = {r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
            "AND database_name = current_database()", [view]).fetchall()}
        if not have:
            return f"no view {view} yet"
        out[view] = {}
        for need in wanted:
            options = (need,) if isinstance(need, str) else need
            found = next((c for c in options if c in have), None)
            if found is None:
                return f"view {view} has no column {' or '.join(options)}"
            out[view][options[0]] = found
    return out


def readiness(con: duckdb.DuckDBPyConnection, needs: dict[str, tuple[Need, ...]]) -> dict[str, Columns] | str:
    """The rule's resolved columns when its data is there, else why it must wait."""
    columns = resolve(con, needs)
    first = next(iter(needs))  # its rows make the baseline evaluation possible
    if not isinstance(columns, str) and not has_rows(con, first):
        return f"no rows in {first} yet"
    return columns


@rule("new_release", "a new final release of a tracked framework's primary package (PyPI)",
      {"releases": ("framework", "package", "role", "version", "is_prerelease", "released_at",
                    "yanked"),
       "frameworks": ("framework", "name")})
def new_release(ctx: Context) -> list[Alert]:
    since = ctx.now - dt.timedelta(days=ctx.settings.alert_release_days)
    rows = ctx.rows(
        "SELECT r.framework, f.name, r.package, r.version, r.is_prerelease, r.released_at "
        "FROM releases r JOIN frameworks f USING (framework) "
        "WHERE r.role = 'primary' AND r.released_at >= ? AND NOT r.yanked "
        "AND (? OR NOT coalesce(r.is_prerelease, true)) ORDER BY r.released_at",
        [since, ctx.settings.alert_prereleases])
    base = ctx.settings.pypi_url.rstrip("/")
    return [Alert(
        key=f"new_release:{r['package']}:{r['version']}", rule="new_release",
        subject=r["framework"],
        title=(f"{r['name']}: {r['package']} {r['version']}"
               f"{' (pre-release)' if r['is_prerelease'] else ''} released "
               f"{r['released_at']:%Y-%m-%d %H:%M} UTC"),
        url=f"{base}/project/{r['package']}/{r['version']}/",
        detail={"package": r["package"], "version": r["version"],
                "released_at": r["released_at"].isoformat()},
    ) for r in rows]


MIN_DAILY_DOWNLOADS = 100  # below this a +50 % week is noise


@rule("download_change",
      "a framework's downloads over the last 7 days differ from the 28 days before by more than "
      "DLTRENDS_ALERT_DOWNLOAD_CHANGE",
      {"framework_downloads_daily": ("framework", ("day", "date"), "downloads")})
def download_change(ctx: Context) -> list[Alert]:
    c = ctx.columns["framework_downloads_daily"]
    day, downloads = _q(c["day"]), _q(c["downloads"])
    rows = ctx.rows(f"""
        WITH last AS (SELECT max({day}) AS d FROM framework_downloads_daily),
        w AS (
            SELECT framework,
                   avg({downloads}) FILTER (WHERE {day} > d - INTERVAL 7 DAY) AS recent,
                   avg({downloads}) FILTER (WHERE {day} <= d - INTERVAL 7 DAY
                                            AND {day} > d - INTERVAL 35 DAY) AS before,
                   any_value(d) AS d
            FROM framework_downloads_daily, last
            WHERE {day} > d - INTERVAL 35 DAY
            GROUP BY framework
        )
        SELECT framework, recent, before, d, recent / before - 1 AS change FROM w
        WHERE before >= ? AND abs(recent / before - 1) >= ?
        ORDER BY framework""", [MIN_DAILY_DOWNLOADS, ctx.settings.alert_download_change])
    out = []
    for r in rows:
        kind = "spike" if r["change"] > 0 else "drop"
        week = r["d"].isocalendar()
        out.append(Alert(
            key=f"download_change:{r['framework']}:{kind}:{week.year}-W{week.week:02d}",
            rule="download_change", subject=r["framework"],
            title=(f"{r['framework']}: downloads {kind} of {r['change']:+.0%} (7-day average "
                   f"{r['recent']:,.0f}/day vs {r['before']:,.0f}/day the 28 days before, to "
                   f"{r['d']:%Y-%m-%d})"),
            detail={"recent_daily": r["recent"], "previous_daily": r["before"],
                    "change": r["change"], "until": str(r["d"])},
        ))
    return out


@rule("benchmark_regression", "a benchmark step change for the worse between framework versions",
      {"benchmark_regressions": ("framework", ("case_key", "benchmark"), ("to_version", "version"))},
      baseline=True)
def benchmark_regression(ctx: Context) -> list[Alert]:
    c = ctx.columns["benchmark_regressions"]
    rows = ctx.rows("SELECT * FROM benchmark_regressions")
    out = []
    for r in rows:
        if r.get("kind", "regression") != "regression":  # the view also lists improvements
            continue
        fw, bench, version = r[c["framework"]], r[c["case_key"]], r[c["to_version"]]
        extra = {k: v for k, v in r.items() if k not in c.values() and v is not None}
        identity = ":".join(str(extra[k]) for k in ("mode", "device", "dtype", "parameters")
                            if k in extra)
        out.append(Alert(
            key=f"benchmark_regression:{fw}:{bench}:{version}" + (f":{identity}" if identity else ""),
            rule="benchmark_regression", subject=str(fw),
            title=f"{fw} {version}: {bench} regressed" + _change_text(extra),
            detail={"benchmark": bench, "version": version, **extra},
        ))
    return out


def _change_text(row: dict[str, Any]) -> str:
    for name in ("change", "ratio", "change_pct"):
        value = row.get(name)
        if isinstance(value, int | float):
            return f" ({name} {value:+.3g})"
    return ""


@rule("new_advisory", "a known vulnerability (OSV) affecting the latest release of a tracked package",
      {"vulnerabilities": ("package", "version", ("advisory_id", "vuln_id", "osv_id", "id")),
       "releases": ("framework", "package", "version", "version_rank", "is_prerelease", "yanked",
                    "role")},
      baseline=True)
def new_advisory(ctx: Context) -> list[Alert]:
    c = ctx.columns["vulnerabilities"]
    vid = _q(c["advisory_id"])
    rows = ctx.rows(f"""
        WITH latest AS (
            SELECT framework, package, arg_max(version, version_rank) AS version
            FROM releases
            WHERE role IN ('primary', 'variant') AND NOT coalesce(is_prerelease, true) AND NOT yanked
            GROUP BY framework, package
        )
        SELECT DISTINCT l.framework, l.package, l.version, v.{vid} AS advisory
        FROM latest l JOIN vulnerabilities v
          ON v.{_q(c['package'])} = l.package AND v.{_q(c['version'])} = l.version
        ORDER BY ALL""")
    return [Alert(
        key=f"new_advisory:{r['package']}:{r['version']}:{r['advisory']}", rule="new_advisory",
        subject=r["framework"],
        title=f"{r['package']} {r['version']} (latest release) is affected by {r['advisory']}",
        url=f"https://osv.dev/vulnerability/{r['advisory']}",
        detail={"package": r["package"], "version": r["version"], "advisory": r["advisory"]},
    ) for r in rows]


@rule("stale_source", "a source's data is older than its declared freshness",
      {"source_health": ("source", "is_stale", "last_success_at", "expected_freshness", "state")})
def stale_source(ctx: Context) -> list[Alert]:
    rows = ctx.rows("SELECT source, last_success_at, expected_freshness, last_error FROM source_health "
                    "WHERE is_stale AND state <> 'never' ORDER BY source")
    out = []
    for r in rows:
        since = r["last_success_at"]
        age = "never collected successfully" if since is None else \
            f"last fresh data {since:%Y-%m-%d %H:%M} UTC"
        out.append(Alert(
            key=f"stale_source:{r['source']}:{since.isoformat() if since else 'never'}",
            rule="stale_source", subject=r["source"],
            title=(f"source {r['source']} is stale: {age}, expected within "
                   f"{_duration(r['expected_freshness'])}"),
            detail={"last_success_at": since.isoformat() if since else None,
                    "last_error": r["last_error"]},
        ))
    return out


@rule("failing_source", "a source's last N runs all failed (N = DLTRENDS_FAILING_RUNS)",
      {"source_health": ("source", "is_failing", "failed_in_a_row", "failing_since_run",
                         "last_error")})
def failing_source(ctx: Context) -> list[Alert]:
    rows = ctx.rows("SELECT source, failed_in_a_row, failing_since_run, last_error FROM source_health "
                    "WHERE is_failing ORDER BY source")
    return [Alert(
        key=f"failing_source:{r['source']}:{r['failing_since_run']}", rule="failing_source",
        subject=r["source"],
        title=(f"source {r['source']} is failing: its last {r['failed_in_a_row']} runs failed; "
               f"latest error: {_clip(r['last_error'] or 'unknown')}"),
        detail={"failed_in_a_row": r["failed_in_a_row"], "since_run": r["failing_since_run"]},
    ) for r in rows]


def _duration(value: dt.timedelta | None) -> str:
    if value is None:
        return "?"
    hours = value.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 48 else f"{hours:g} hours"


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."
