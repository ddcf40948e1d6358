"""`dltrends status`: freshness and health per source, read from the published file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from dltrends.settings import Settings
from jobs.github_status import budget_notes
from jobs.output import require_published
from jobs.sources import SOURCES
from warehouse.db import reader
from warehouse.lock import holder


@dataclass
class StatusReport:
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    healthy: bool = True


def source_status(settings: Settings, now: dt.datetime | None = None) -> StatusReport:
    require_published(settings.db)
    now = now or dt.datetime.now(dt.UTC)
    with reader(settings.db) as con:
        frame = con.execute(
            "SELECT source, last_run_at, last_status, last_items_failed, last_success_at, "
            "failed_of_last_5, runs FROM source_status ORDER BY source"
        ).df()
        budget = budget_notes(con, now)
    known = pd.DataFrame({"source": [s for s in SOURCES if s not in set(frame["source"])]})
    frame = pd.concat([frame, known], ignore_index=True) if not known.empty else frame
    frame.insert(5, "freshness", [_age(now, t) for t in frame["last_success_at"]])
    report = StatusReport(frame, notes=budget)
    # A source never collected (not asked for, skipped because the registry names nothing for it,
    # clickpy before its first backfill) is listed, not unhealthy: only sources that ran must have
    # ended ok the last time.
    ran = frame["last_status"].notna()
    report.healthy = bool((frame.loc[ran, "last_status"] == "ok").all())
    if "clickpy" in set(frame.loc[frame["last_status"].isna(), "source"]):
        report.notes.append("clickpy: never run; `dltrends backfill --source clickpy` loads the "
                            "download history since 2016, then `dltrends collect` keeps it current")
    if lock := holder(settings.lock_path):
        report.notes.append(f"a collect is running now (pid {lock.get('pid')}, "
                            f"since {lock.get('since')})")
    report.notes.append(f"published file: {settings.db}")
    return report


def _age(now: dt.datetime, when) -> str:
    if when is None or pd.isna(when):
        return "never collected"
    seconds = (now - pd.Timestamp(when).to_pydatetime()).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return "just now"
