"""Queries of the Data page: source status and health, the run log, the public views' row
counts, download sources side by side, and the alerts raised."""

from __future__ import annotations

from dashboard.queries import Query


def source_status() -> Query:
    return Query("SELECT * FROM source_status ORDER BY source")


def run_log(limit: int = 100) -> Query:
    return Query(
        """
SELECT run_id, source, status, started_at, duration_s, items_ok, items_unchanged,
       items_failed, rows_written, requests, error
FROM collector_runs ORDER BY run_id DESC LIMIT ?
""",
        (limit,),
    )


def row_counts(views: list[str]) -> Query:
    """Row count of every public view; names come from duckdb_views(), quoted as identifiers."""
    parts = [
        f"SELECT '{v.replace(chr(39), chr(39) * 2)}' AS view_name, count(*) AS row_count "
        f'FROM "{v.replace(chr(34), chr(34) * 2)}"'
        for v in views
    ]
    return Query("\nUNION ALL\n".join(parts) + "\nORDER BY view_name")


def source_disagreement() -> Query:
    """Per package and category: days two sources both hold, and how far apart they are."""
    return Query(
        """
SELECT framework, package, category, count(*) AS days, min(day) AS first_day, max(day) AS last_day,
       median(relative_difference) AS median_difference, max(relative_difference) AS max_difference,
       string_agg(DISTINCT chosen_source, ', ') AS counted_source
FROM download_source_comparison
GROUP BY ALL ORDER BY max_difference DESC NULLS LAST, package
"""
    )


def source_health() -> Query:
    return Query(
        """
SELECT source, state, last_run_at, last_status, last_success_at, expected_freshness,
       failed_in_a_row, schedule, last_error
FROM source_health ORDER BY source
"""
    )


def recent_alerts(limit: int = 50) -> Query:
    return Query(
        """
SELECT raised_at, rule, subject, title, url, sent_to, pending, last_error
FROM alerts WHERE NOT baseline
ORDER BY raised_at DESC, alert_key LIMIT ?
""",
        (limit,),
    )
