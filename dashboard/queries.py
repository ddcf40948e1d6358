"""Every query the dashboard runs: public views only, bound parameters only."""

from __future__ import annotations

from dashboard.db import Query

ROLE_SETS = {
    "primary": ["primary"],
    "counted": ["primary", "variant"],
    "all": ["primary", "variant", "companion", "nightly", "ecosystem"],
}


def frameworks() -> Query:
    return Query(
        "SELECT framework, name, status, successor, homepage FROM frameworks ORDER BY registry_order"
    )


def frameworks_with_releases() -> Query:
    return Query(
        "SELECT DISTINCT framework FROM releases WHERE released_at IS NOT NULL"
    )


def release_timeline(frameworks: list[str], roles: list[str], prereleases: bool,
                     since_year: int) -> Query:
    return Query(
        """
SELECT r.framework, f.name AS framework_name, r.package, r.role, r.version, r.released_at,
       CASE WHEN r.is_prerelease THEN 'pre-release'
            WHEN regexp_matches(r.version_normalized, '^\\d+(\\.0+)*$') THEN 'major'
            WHEN regexp_matches(r.version_normalized, '^\\d+\\.\\d+(\\.0+)*$') THEN 'minor'
            ELSE 'patch' END AS kind,
       r.yanked
FROM releases r JOIN frameworks f USING (framework)
WHERE r.framework IN (SELECT unnest(?::VARCHAR[]))
  AND r.role IN (SELECT unnest(?::VARCHAR[]))
  AND r.released_at IS NOT NULL
  AND r.released_at >= make_timestamptz(?, 1, 1, 0, 0, 0, 'UTC')
  AND (? OR NOT coalesce(r.is_prerelease, false))
ORDER BY f.registry_order, r.released_at
""",
        (frameworks, roles, since_year, prereleases),
    )


def lifecycle_events(frameworks: list[str]) -> Query:
    return Query(
        """
SELECT e.framework, f.name AS framework_name, e.event_date, e.kind, e.note, e.source
FROM framework_events e JOIN frameworks f USING (framework)
WHERE e.framework IN (SELECT unnest(?::VARCHAR[]))
ORDER BY e.event_date
""",
        (frameworks,),
    )


def release_cadence(frameworks: list[str]) -> Query:
    """Days between the first final releases of consecutive minor series (X.Y), per package."""
    return Query(
        """
WITH minors AS (
    SELECT framework, package, version_major, version_minor, min(released_at) AS first_at,
           arg_min(version, released_at) AS first_version
    FROM releases
    WHERE role = 'primary' AND framework IN (SELECT unnest(?::VARCHAR[]))
      AND NOT coalesce(is_prerelease, true) AND released_at IS NOT NULL
    GROUP BY ALL
),
gaps AS (
    SELECT *, date_diff('day', lag(first_at) OVER w, first_at) AS gap_days
    FROM minors WINDOW w AS (PARTITION BY framework, package ORDER BY first_at)
),
latest AS (
    SELECT framework, package, max(released_at) AS last_release_at,
           arg_max(version, released_at) AS last_version
    FROM releases
    WHERE role = 'primary' AND framework IN (SELECT unnest(?::VARCHAR[]))
      AND NOT coalesce(is_prerelease, true) AND released_at IS NOT NULL
    GROUP BY ALL
)
SELECT g.framework, f.name AS framework_name, g.package,
       count(*) AS minor_releases,
       median(g.gap_days) AS median_days,
       arg_max(g.gap_days, g.first_at) AS latest_gap_days,
       max(g.first_at) AS latest_minor_at,
       any_value(l.last_version) AS last_version,
       any_value(l.last_release_at) AS last_release_at,
       date_diff('day', any_value(l.last_release_at), now()) AS days_since_release
FROM gaps g JOIN latest l USING (framework, package) JOIN frameworks f USING (framework)
GROUP BY g.framework, f.name, g.package, f.registry_order
ORDER BY f.registry_order, g.package
""",
        (frameworks, frameworks),
    )


def latest_release_files(framework: str) -> Query:
    """Files of the latest final, not yanked release with files of each primary package."""
    return Query(
        """
WITH latest AS (
    SELECT package, arg_max(version, version_rank) AS version
    FROM releases
    WHERE framework = ? AND role = 'primary' AND NOT coalesce(is_prerelease, true)
      AND NOT yanked AND file_count > 0
    GROUP BY package
)
SELECT f.package, f.version, f.filename, f.packagetype, f.python_versions, f.platforms,
       f.architectures, f.size_bytes, f.uploaded_at
FROM release_files f JOIN latest l USING (package, version)
ORDER BY f.package, f.filename
""",
        (framework,),
    )


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


def public_views() -> Query:
    return Query(
        "SELECT view_name, comment FROM duckdb_views() "
        "WHERE schema_name = 'main' AND NOT internal ORDER BY view_name"
    )


def row_counts(views: list[str]) -> Query:
    """Row count of every public view; names come from duckdb_views(), quoted as identifiers."""
    parts = [
        f"SELECT '{v.replace(chr(39), chr(39) * 2)}' AS view_name, count(*) AS row_count "
        f'FROM "{v.replace(chr(34), chr(34) * 2)}"'
        for v in views
    ]
    return Query("\nUNION ALL\n".join(parts) + "\nORDER BY view_name")


def framework_overview() -> Query:
    """One row per registry framework: lifecycle and its latest final release of a primary package."""
    return Query(
        """
WITH latest AS (
    SELECT framework,
           arg_max(package || ' ' || version, released_at) AS latest_release,
           max(released_at) AS latest_release_at,
           count(*) FILTER (WHERE released_at >= now() - INTERVAL 365 DAY) AS releases_last_year,
           count(*) AS releases
    FROM releases
    WHERE role = 'primary' AND NOT coalesce(is_prerelease, true) AND released_at IS NOT NULL
    GROUP BY framework
)
SELECT f.framework, f.name, f.status, s.name AS successor, l.latest_release, l.latest_release_at,
       date_diff('day', l.latest_release_at, now()) AS days_since_release,
       l.releases_last_year, l.releases, len(f.counted_packages) AS counted_packages, f.homepage
FROM frameworks f
LEFT JOIN latest l USING (framework)
LEFT JOIN frameworks s ON s.framework = f.successor
ORDER BY f.registry_order
"""
    )


# Operations (issue 9): source health (freshness, failure streaks) and the alerts raised.

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
