"""The GitHub API budget for `dltrends status`: what the last GitHub run left, and when it resets."""

from __future__ import annotations

import datetime as dt

import duckdb

ORDER = ("core", "search", "graphql")


def budget_notes(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> list[str]:
    """One line per bucket as the last run saw it; a bucket whose reset has passed is full again."""
    try:
        rows = con.execute(
            "SELECT resource, limit_per_window, remaining, reset_at, authenticated, observed_at "
            "FROM core.github_rate_limits WHERE resource IN ('core', 'search', 'graphql')"
        ).fetchall()
    except duckdb.CatalogException:  # a warehouse published before GitHub was collected
        return []
    if not rows:
        return []
    rows.sort(key=lambda r: ORDER.index(r[0]))
    observed = max(r[5] for r in rows)
    token = "with a token" if any(r[4] for r in rows) else "without a token (GITHUB_TOKEN raises it)"
    parts = []
    for resource, limit, remaining, reset_at, _, _ in rows:
        if limit == 0:
            continue
        if reset_at <= now:
            parts.append(f"{resource} {limit}/{limit} (reset at {reset_at:%H:%M} UTC has passed)")
        else:
            parts.append(f"{resource} {remaining}/{limit} until {reset_at:%H:%M} UTC")
    return [f"GitHub API budget as of {observed:%Y-%m-%d %H:%M} UTC, {token}: " + "; ".join(parts)]
