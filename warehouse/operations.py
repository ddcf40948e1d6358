"""Operations state in the warehouse: source expectations, alerts raised and their deliveries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import pandas as pd

from warehouse.store import delete_missing, upsert


def save_expectations(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> int:
    """Make core.source_expectations equal `rows` (one per declared source)."""
    frame = pd.DataFrame(rows, columns=["source", "title", "fresh_within_s", "schedule",
                                        "failing_runs"])
    return (upsert(con, "core.source_expectations", frame)
            + delete_missing(con, "core.source_expectations", frame))


def known_alert_keys(con: duckdb.DuckDBPyConnection, keys: Iterable[str]) -> set[str]:
    frame = pd.DataFrame({"k": list(keys)}, dtype=object)
    con.register("_keys", frame)
    try:
        rows = con.execute("SELECT alert_key FROM core.alerts WHERE alert_key IN "
                           "(SELECT k FROM _keys)").fetchall()
    finally:
        con.unregister("_keys")
    return {r[0] for r in rows}


def rules_seen(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Rules that already had their first evaluation with data."""
    return {r[0] for r in con.execute("SELECT rule FROM core.alert_rule_state").fetchall()}


def mark_rules_seen(con: duckdb.DuckDBPyConnection, rules: Iterable[str], now: dt.datetime) -> None:
    frame = pd.DataFrame({"rule": list(rules), "first_seen_at": now})
    if not frame.empty:
        con.register("_rules", frame)
        try:
            con.execute("INSERT INTO core.alert_rule_state SELECT rule, first_seen_at FROM _rules "
                        "ON CONFLICT (rule) DO NOTHING").fetchall()
        finally:
            con.unregister("_rules")


def insert_alerts(con: duckdb.DuckDBPyConnection, alerts: pd.DataFrame, channels: list[str]) -> list[str]:
    """Insert alerts not raised before; owe a delivery per channel for those not baseline.

    `alerts` has the columns of core.alerts. Returns the keys inserted now.
    """
    if alerts.empty:
        return []
    con.register("_alerts", alerts)
    try:
        new = [r[0] for r in con.execute(
            "INSERT INTO core.alerts (alert_key, rule, subject, title, url, detail, raised_at, baseline) "
            "SELECT alert_key, rule, subject, title, url, detail::JSON, raised_at, baseline FROM _alerts "
            "ON CONFLICT (alert_key) DO NOTHING RETURNING alert_key").fetchall()]
    finally:
        con.unregister("_alerts")
    owed = alerts[alerts["alert_key"].isin(new) & ~alerts["baseline"]]
    deliveries = pd.DataFrame([{"alert_key": k, "channel": c, "attempts": 0}
                               for k in owed["alert_key"] for c in channels],
                              columns=["alert_key", "channel", "attempts"])
    if not deliveries.empty:
        upsert(con, "core.alert_deliveries", deliveries)
    return new


def pending_deliveries(con: duckdb.DuckDBPyConnection, max_attempts: int) -> pd.DataFrame:
    """Deliveries still owed (oldest alert first), with what to send."""
    return con.execute(
        "SELECT d.channel, a.alert_key, a.rule, a.subject, a.title, a.url, a.raised_at "
        "FROM core.alert_deliveries d JOIN core.alerts a USING (alert_key) "
        "WHERE d.sent_at IS NULL AND d.attempts < ? ORDER BY d.channel, a.raised_at, a.alert_key",
        [max_attempts]).df()


def mark_deliveries(con: duckdb.DuckDBPyConnection, channel: str, keys: list[str],
                    sent_at: dt.datetime | None, error: str | None) -> None:
    """Record one delivery attempt for `keys` on `channel`: sent, or failed with `error`."""
    con.register("_sent", pd.DataFrame({"k": keys}, dtype=object))
    try:
        con.execute(
            "UPDATE core.alert_deliveries SET attempts = attempts + 1, sent_at = ?, last_error = ? "
            "WHERE channel = ? AND alert_key IN (SELECT k FROM _sent)",
            [sent_at, error, channel]).fetchall()
    finally:
        con.unregister("_sent")
