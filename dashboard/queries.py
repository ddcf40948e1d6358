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


# Issue 5: adoption and health signals (conda, Hugging Face Hub, Stack Overflow, npm, OSV) -------

def signal_frameworks() -> Query:
    """Frameworks with data in any of the signal views."""
    return Query(
        """
SELECT framework FROM conda_downloads_monthly
UNION SELECT framework FROM hub_models_daily
UNION SELECT framework FROM stackoverflow_tags_daily
UNION SELECT framework FROM npm_downloads_daily
"""
    )


def conda_monthly(frameworks: list[str]) -> Query:
    """conda downloads per framework, month and data source (channel)."""
    return Query(
        """
SELECT c.framework, f.name AS framework_name, c.month, c.data_source,
       sum(c.downloads) AS downloads, list(DISTINCT c.package ORDER BY c.package) AS packages
FROM conda_downloads_monthly c JOIN frameworks f USING (framework)
WHERE c.framework IN (SELECT unnest(?::VARCHAR[]))
GROUP BY c.framework, f.name, c.month, c.data_source, f.registry_order
ORDER BY f.registry_order, c.month, c.data_source
""",
        (frameworks,),
    )


def hub_daily(frameworks: list[str]) -> Query:
    """Per framework and snapshot day: models with the library tag and top-N downloads."""
    return Query(
        """
SELECT h.framework, f.name AS framework_name, h.library, h.snapshot_date, h.models_count,
       h.models_count_complete, h.top_n, h.top_n_models, h.top_n_downloads_30d, h.top_model,
       h.top_model_downloads_30d
FROM hub_models_daily h JOIN frameworks f USING (framework)
WHERE h.framework IN (SELECT unnest(?::VARCHAR[]))
ORDER BY f.registry_order, h.snapshot_date
""",
        (frameworks,),
    )


def stackoverflow_daily(frameworks: list[str]) -> Query:
    """Per framework and snapshot day: questions over its tags and new questions per week."""
    return Query(
        """
SELECT s.framework, f.name AS framework_name, s.snapshot_date,
       sum(s.question_count) AS questions, sum(s.new_questions) AS new_questions,
       sum(s.questions_per_week) AS questions_per_week,
       list(s.tag ORDER BY s.tag) AS tags
FROM stackoverflow_tags_daily s JOIN frameworks f USING (framework)
WHERE s.framework IN (SELECT unnest(?::VARCHAR[]))
GROUP BY s.framework, f.name, s.snapshot_date, f.registry_order
ORDER BY f.registry_order, s.snapshot_date
""",
        (frameworks,),
    )


def npm_weekly(frameworks: list[str]) -> Query:
    """npm downloads per package and ISO week (weekly sums smooth the weekday rhythm)."""
    return Query(
        """
SELECT n.framework, f.name AS framework_name, n.package, date_trunc('week', n.day) AS week,
       sum(n.downloads) AS downloads, count(*) AS days
FROM npm_downloads_daily n JOIN frameworks f USING (framework)
WHERE n.framework IN (SELECT unnest(?::VARCHAR[]))
GROUP BY ALL
ORDER BY n.package, week
""",
        (frameworks,),
    )


def advisory_counts(frameworks: list[str]) -> Query:
    """Known advisories per release of the given frameworks (for marks on the release timeline)."""
    return Query(
        """
SELECT package, version, count(DISTINCT vulnerability) AS vulnerabilities,
       count(*) AS advisories, max(cvss_score) AS max_cvss_score,
       CASE max(CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
                              WHEN 'low' THEN 1 ELSE 0 END)
            WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' END
           AS max_severity
FROM vulnerabilities
WHERE framework IN (SELECT unnest(?::VARCHAR[])) AND withdrawn IS NULL
GROUP BY package, version
""",
        (frameworks,),
    )


def latest_release_security(framework: str) -> Query:
    """Open advisories on the latest final release of each primary package of one framework."""
    return Query(
        """
SELECT package, latest_version, released_at, open_vulnerabilities, open_advisories, critical,
       high, max_cvss_score
FROM latest_release_vulnerabilities
WHERE framework = ? AND osv_checked
ORDER BY package
""",
        (framework,),
    )


def latest_release_advisories(framework: str) -> Query:
    """The advisories themselves, on those latest releases."""
    return Query(
        """
SELECT v.package, v.version, v.advisory_id, v.vulnerability, v.severity, v.cvss_score,
       v.summary, v.published, v.fixed_versions, v.url
FROM vulnerabilities v
JOIN latest_release_vulnerabilities l ON l.package = v.package AND l.latest_version = v.version
WHERE v.framework = ? AND v.withdrawn IS NULL
ORDER BY v.package, coalesce(v.cvss_score, 0) DESC, v.advisory_id
""",
        (framework,),
    )


# SQL console (issue 8): the schema browser.

def view_columns() -> Query:
    """Every public view's columns with types and COMMENT texts, for the schema browser."""
    return Query(
        """
SELECT v.view_name, v.comment AS view_comment, c.column_name, c.data_type, c.comment
FROM duckdb_views() v
JOIN duckdb_columns() c ON c.schema_name = v.schema_name AND c.table_name = v.view_name
WHERE v.schema_name = 'main' AND NOT v.internal AND NOT v.temporary
ORDER BY v.view_name, c.column_index
"""
    )
