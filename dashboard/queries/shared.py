"""Queries that several pages or the report read: the registry, health facts, lifecycle events,
minor releases, the signal series of the analysis layer, benchmark results and advisories.

Signal series come back long (framework, date, value) for dltrends.analysis; `days` bounds the
history read (None: all of it). A framework's star and author sums keep only the days (months)
on which every one of its repos has a value, so a missing repo never reads as a drop.
"""

from __future__ import annotations

from dashboard.queries import Query


def insight_frameworks() -> Query:
    return Query(
        """
SELECT framework, name, status, successor, homepage, deployment, deployment_source, github,
       hf_library, registry_order
FROM frameworks ORDER BY registry_order
"""
    )


def framework_health() -> Query:
    return Query("SELECT * FROM framework_health")


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


def framework_events_of(frameworks: list[str]) -> Query:
    """Lifecycle events of the given frameworks, as annotation labels."""
    return Query(
        """
SELECT framework, event_date AS date, kind || ': ' || note AS label, source
FROM framework_events WHERE framework IN (SELECT unnest(?::VARCHAR[])) ORDER BY event_date
""",
        (frameworks,),
    )


def minor_releases(frameworks: list[str]) -> Query:
    """The first final release of each minor series (X.Y) of the primary packages, every year."""
    return Query(
        """
SELECT m.framework, f.name AS framework_name, m.package || ' ' || m.series AS label,
       m.first_released_at::DATE AS date
FROM minor_series m JOIN frameworks f USING (framework)
WHERE m.framework IN (SELECT unnest(?::VARCHAR[])) AND m.role = 'primary'
ORDER BY date
""",
        (frameworks,),
    )


def downloads_series(frameworks: list[str] | None, days: int | None) -> Query:
    """Daily downloads (without mirrors) of each framework's counted packages, the last `days`
    days before the newest day collected."""
    return Query(
        """
SELECT framework, day AS date, sum(downloads) AS value
FROM downloads_daily
WHERE counted AND category = 'without_mirrors'
  AND (?::VARCHAR[] IS NULL OR framework IN (SELECT unnest(?::VARCHAR[])))
  AND (?::INTEGER IS NULL OR day > (SELECT max(day) FROM downloads_daily) - ?::INTEGER)
GROUP BY framework, day ORDER BY framework, day
""",
        (frameworks, frameworks, days, days),
    )


def stars_series(frameworks: list[str] | None) -> Query:
    """Cumulative stars per framework and day (exact and estimated points alike)."""
    return Query(
        """
WITH per_day AS (
    SELECT framework, day, sum(stars) AS stars, count(*) AS repos,
           bool_or(method = 'estimated') AS estimated
    FROM star_history
    WHERE framework IS NOT NULL
      AND (?::VARCHAR[] IS NULL OR framework IN (SELECT unnest(?::VARCHAR[])))
    GROUP BY framework, day
)
SELECT framework, day AS date, stars AS value, estimated
FROM per_day
QUALIFY repos = max(repos) OVER (PARTITION BY framework)
ORDER BY framework, day
""",
        (frameworks, frameworks),
    )


def authors_series(frameworks: list[str] | None) -> Query:
    """Active commit authors per framework and ended month (summed over its repos)."""
    return Query(
        """
WITH per_month AS (
    SELECT framework, month, sum(active_authors) AS authors, count(*) AS repos
    FROM community_monthly
    WHERE active_authors IS NOT NULL
      AND month < date_trunc('month', now() AT TIME ZONE 'UTC')::DATE
      AND (?::VARCHAR[] IS NULL OR framework IN (SELECT unnest(?::VARCHAR[])))
    GROUP BY framework, month
)
SELECT framework, month AS date, authors AS value
FROM per_month
QUALIFY repos = max(repos) OVER (PARTITION BY framework)
ORDER BY framework, month
""",
        (frameworks, frameworks),
    )


def hub_series(frameworks: list[str] | None) -> Query:
    """Models with the framework's Hugging Face library tag, per daily snapshot."""
    return Query(
        """
SELECT framework, snapshot_date AS date, models_count AS value
FROM hub_models_daily
WHERE (?::VARCHAR[] IS NULL OR framework IN (SELECT unnest(?::VARCHAR[])))
ORDER BY framework, snapshot_date
""",
        (frameworks, frameworks),
    )


def questions_series(frameworks: list[str] | None) -> Query:
    """New Stack Overflow questions per week, per framework, at each snapshot."""
    return Query(
        """
SELECT framework, snapshot_date AS date, sum(questions_per_week) AS value
FROM stackoverflow_tags_daily
WHERE (?::VARCHAR[] IS NULL OR framework IN (SELECT unnest(?::VARCHAR[]))) AND questions_per_week IS NOT NULL
GROUP BY framework, snapshot_date ORDER BY framework, snapshot_date
""",
        (frameworks, frameworks),
    )


def npm_series(frameworks: list[str] | None) -> Query:
    """Daily npm downloads of each framework's JavaScript builds, as a mean per ISO week."""
    return Query(
        """
SELECT framework, date_trunc('week', day) AS date, sum(downloads) / count(DISTINCT day) AS value
FROM npm_downloads_daily
WHERE (?::VARCHAR[] IS NULL OR framework IN (SELECT unnest(?::VARCHAR[])))
GROUP BY framework, date_trunc('week', day) ORDER BY framework, date
""",
        (frameworks, frameworks),
    )


def conda_series(frameworks: list[str] | None) -> Query:
    """conda downloads per framework and month (every channel Anaconda publishes)."""
    return Query(
        """
SELECT framework, month AS date, sum(downloads) AS value
FROM conda_downloads_monthly
WHERE (?::VARCHAR[] IS NULL OR framework IN (SELECT unnest(?::VARCHAR[])))
GROUP BY framework, month ORDER BY framework, month
""",
        (frameworks, frameworks),
    )


def share_series(frameworks: list[str] | None) -> Query:
    """Weekly mean of each framework's share of the tracked downloads (trailing 28 days)."""
    return Query(
        """
SELECT framework, date_trunc('week', day) AS date, avg(share_28d) AS value
FROM adoption_share
WHERE (?::VARCHAR[] IS NULL OR framework IN (SELECT unnest(?::VARCHAR[])))
GROUP BY framework, date_trunc('week', day) ORDER BY framework, date
""",
        (frameworks, frameworks),
    )


def bench_suite_latest() -> Query:
    """Every successful result of the most recently measured machine (for the speed criterion)."""
    return Query(
        """
WITH machine AS (
    SELECT arg_max(machine_id, started_at) AS machine_id, arg_max(cpu_model, started_at) AS cpu_model
    FROM benchmark_runs
)
SELECT r.framework, r.version, r.benchmark, r.case_key, r.mode, r.median, r.started_at,
       r.machine_id, m.cpu_model
FROM benchmark_results r JOIN machine m USING (machine_id)
WHERE r.status = 'ok'
"""
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
