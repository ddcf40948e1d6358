"""Queries of the Overview page's "what changed" lists: new releases, benchmark regressions and
stale sources."""

from __future__ import annotations

from dashboard.queries import Query


def new_releases(days: int) -> Query:
    """Final and pre-releases of counted packages uploaded in the last `days` days."""
    return Query(
        """
SELECT r.framework, f.name AS framework_name, r.package, r.version, r.released_at,
       r.is_prerelease, r.yanked
FROM releases r JOIN frameworks f USING (framework)
WHERE r.role IN ('primary', 'variant') AND r.released_at >= now() - to_days(?::INTEGER)
ORDER BY r.released_at DESC
""",
        (days,),
    )


def recent_regressions(days: int) -> Query:
    """Benchmark steps whose newer version was first measured in the last `days` days."""
    return Query(
        """
WITH measured AS (
    SELECT machine_id, framework, version, min(started_at) AS first_measured
    FROM benchmark_runs WHERE status = 'ok' GROUP BY ALL
)
SELECT g.framework_name, g.case_key, g.mode, g.from_version, g.to_version, g.change, g.noise,
       g.kind, m.first_measured, g.machine_id
FROM benchmark_regressions g
JOIN measured m ON m.machine_id = g.machine_id AND m.framework = g.framework
                AND m.version = g.to_version
WHERE m.first_measured >= now() - to_days(?::INTEGER)
ORDER BY g.kind = 'improvement', g.change DESC
""",
        (days,),
    )


def stale_sources(hours: int) -> Query:
    """Sources collected at least once whose last successful run is older than `hours`."""
    return Query(
        """
SELECT source, last_status, last_success_at, failed_of_last_5
FROM source_status
WHERE last_success_at IS NULL OR last_success_at < now() - to_hours(?::INTEGER)
ORDER BY last_success_at NULLS FIRST
""",
        (hours,),
    )
