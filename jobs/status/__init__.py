"""`dltrends status`: freshness and health per source, read from the published file.

A source is stale when its data is older than it declares (`Source.fresh_within`), failing when
its last DLTRENDS_FAILING_RUNS runs all failed (the `source_health` view). The notes say what needs
attention, whether a collect or the scheduler is running, and what alerts are still owed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from dltrends.settings import Settings
from jobs.collect.sources import DEFAULT_SOURCES, SOURCES
from jobs.session import require_published
from jobs.status.github import budget_notes
from warehouse.catalogue import COLLECT, backfill, collect
from warehouse.db import public_views, reader
from warehouse.lock import holder

HEALTH = """
SELECT h.source, h.state, h.last_run_at, h.last_status, s.last_items_failed, h.last_success_at,
       h.expected_freshness, h.failed_in_a_row, s.runs, h.last_error
FROM source_health h LEFT JOIN source_status s USING (source) ORDER BY h.source
"""
LEGACY = ("SELECT source, last_run_at, last_status, last_items_failed, last_success_at, "
          "failed_of_last_5, runs FROM source_status ORDER BY source")


@dataclass
class StatusReport:
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    healthy: bool = True


def source_status(settings: Settings, now: dt.datetime | None = None) -> StatusReport:
    require_published(settings.db)
    now = now or dt.datetime.now(dt.UTC)
    with reader(settings.db) as con:
        views = set(public_views(con))
        frame = con.execute(HEALTH if "source_health" in views else LEGACY).df()
        owed = _owed_alerts(con) if "alerts" in views else None
        budget = budget_notes(con, now)
    known = pd.DataFrame({"source": [s for s in SOURCES if s not in set(frame["source"])]})
    frame = pd.concat([frame, known], ignore_index=True) if not known.empty else frame
    if "state" not in frame:  # a file published by an older dltrends: judge by the last run
        frame.insert(1, "state", frame["last_status"])
    frame["state"] = frame["state"].fillna("never")
    frame.insert(6, "freshness", [_age(now, t) for t in frame["last_success_at"]])
    if "expected_freshness" in frame:
        frame["expected_freshness"] = [_span(v) for v in frame["expected_freshness"]]
    report = StatusReport(frame.drop(columns=["last_error"], errors="ignore"))
    # A source never collected (not asked for, skipped because the registry names nothing for it,
    # clickpy before its first backfill) is listed, not unhealthy: only sources that ran must be ok.
    ran = frame[frame["state"] != "never"]
    report.healthy = bool(((ran["state"] == "ok") & (ran["last_status"] == "ok")).all())
    report.notes = (_attention(frame) + budget + _activity(settings) + ([owed] if owed else []))
    report.notes.append(f"published file: {settings.db}")
    return report


def _attention(frame: pd.DataFrame) -> list[str]:
    notes = []
    for row in frame.itertuples(index=False):
        if row.state == "failing":
            error = getattr(row, "last_error", None) or "no error text"
            notes.append(f"failing: {row.source}: its last {row.failed_in_a_row} runs failed; "
                         f"latest error: {_clip(str(error))}")
        elif row.state == "stale":
            notes.append(f"stale: {row.source}: data {row.freshness}, expected within "
                         f"{getattr(row, 'expected_freshness', '?')}")
        elif row.state == "never" and row.source not in DEFAULT_SOURCES + ["clickpy"]:
            continue  # opt-in sources (hf, conda, osv, mlperf, ...) are listed, not nagged about
        elif row.state == "never" and row.source == "clickpy":
            notes.append(f"never collected: clickpy (`{backfill('clickpy')}` loads the "
                         f"download history since 2016, then `{COLLECT}` keeps it current)")
        elif row.state == "never":
            notes.append(f"never collected: {row.source} ({collect(row.source)})")
    return notes


def _activity(settings: Settings) -> list[str]:
    notes = []
    if lock := holder(settings.lock_path):
        notes.append(f"a collect is running now (pid {lock.get('pid')}, since {lock.get('since')})")
    if sched := holder(settings.scheduler_lock_path):
        notes.append(f"dltrends schedule is running (pid {sched.get('pid')} on {sched.get('host')}, "
                     f"since {sched.get('since')}); log: {settings.log_path}")
    else:
        notes.append("no dltrends schedule is running for this warehouse")
    return notes


def _owed_alerts(con: duckdb.DuckDBPyConnection) -> str | None:
    owed, error = con.execute(
        "SELECT count(*), any_value(last_error) FILTER (WHERE last_error IS NOT NULL) FROM alerts "
        "WHERE len(pending) > 0").fetchall()[0]
    if not owed:
        return None
    return f"{owed} alert(s) not delivered yet" + (f" (last error: {error})" if error else "")


def _age(now: dt.datetime, when) -> str:
    if when is None or pd.isna(when):
        return "never collected"
    seconds = (now - pd.Timestamp(when).to_pydatetime()).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return "just now"


def _span(value) -> str | None:
    if value is None or pd.isna(value):
        return None
    hours = pd.Timedelta(value).total_seconds() / 3600
    return f"{hours / 24:g} d" if hours >= 48 else f"{hours:g} h"


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."
