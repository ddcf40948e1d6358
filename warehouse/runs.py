"""The run log: one `core.collector_runs` row per source per command, with failed items named."""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from dltrends import __version__
from warehouse.store import upsert

STATUSES = ("ok", "partial", "failed", "deferred")
MAX_ERROR_TEXT = 20_000


@dataclass
class RunCounts:
    """What a run did, filled in as it goes."""

    items_ok: int = 0
    items_unchanged: int = 0
    items_failed: int = 0
    items_deferred: int = 0
    rows_written: int = 0
    requests: int = 0
    errors: dict[tuple[str, str], str] = field(default_factory=dict)  # (stream, item) -> cause

    def fail(self, stream: str, item: str, error: str) -> None:
        self.items_failed += 1
        self.errors[(stream, item)] = error

    def defer(self, stream: str, item: str, reason: str) -> None:
        """Postponed to a later run; named in the run's error text like a failure."""
        self.items_deferred += 1
        self.errors[(stream, item)] = f"deferred: {reason}"

    @property
    def status(self) -> str:
        if self.items_failed and not (self.items_ok or self.items_unchanged):
            return "failed"
        if self.items_failed:
            return "partial"
        if self.items_deferred:
            return "deferred"
        return "ok"

    def error_text(self) -> str | None:
        if not self.errors:
            return None
        by_cause: dict[str, list[str]] = {}  # one cause shared by many items is said once
        for (_, item), cause in sorted(self.errors.items()):
            items = by_cause.setdefault(cause, [])
            if item not in items:
                items.append(item)
        text = "; ".join(f"{', '.join(items)}: {cause}" for cause, items in by_cause.items())
        return text if len(text) <= MAX_ERROR_TEXT else text[:MAX_ERROR_TEXT] + " ..."


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def start_run(con: duckdb.DuckDBPyConnection, source: str, options: str = "") -> int:
    run_id = con.execute("SELECT nextval('core.run_ids')").fetchall()[0][0]
    con.execute(
        "INSERT INTO core.collector_runs (run_id, source, started_at, status, options, "
        "dltrends_version, pid, host) VALUES (?, ?, ?, 'running', ?, ?, ?, ?)",
        [run_id, source, now(), options, __version__, os.getpid(), socket.gethostname()],
    )
    return int(run_id)


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, counts: RunCounts,
               status: str | None = None, error: str | None = None) -> str:
    """Record the outcome; `status`/`error` override what the counts say (a crashed source)."""
    status = status or counts.status
    error = error or counts.error_text()
    con.execute(
        "UPDATE core.collector_runs SET finished_at = ?, status = ?, items_ok = ?, "
        "items_unchanged = ?, items_failed = ?, items_deferred = ?, rows_written = ?, "
        "requests = ?, error = ? WHERE run_id = ?",
        [now(), status, counts.items_ok, counts.items_unchanged, counts.items_failed,
         counts.items_deferred, counts.rows_written, counts.requests, error, run_id],
    )
    if counts.errors:
        upsert(con, "core.run_item_errors", pd.DataFrame(
            [{"run_id": run_id, "stream": stream, "item_key": item, "error": cause}
             for (stream, item), cause in counts.errors.items()]
        ))
    return status


def close_interrupted_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Runs still 'running' when the writer lock is free died mid-way: mark them failed."""
    rows = con.execute(
        "UPDATE core.collector_runs SET status = 'failed', finished_at = ?, "
        "error = 'interrupted: the process ended before the run finished' "
        "WHERE status = 'running' RETURNING run_id", [now()]
    ).fetchall()
    return len(rows)
