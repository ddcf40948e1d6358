"""Queries of the Framework page: its recent releases and the latest value of each signal."""

from __future__ import annotations

from dashboard.queries import Query


def recent_releases(limit: int = 12) -> Query:
    """The newest `limit` releases of each framework's primary packages."""
    return Query(
        """
SELECT framework, package, version, released_at, is_prerelease, yanked, python_versions
FROM releases
WHERE role = 'primary' AND released_at IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY framework ORDER BY released_at DESC) <= ?
ORDER BY framework, released_at DESC
""",
        (limit,),
    )


def signals_glance() -> Query:
    """The latest value of each signal beyond PyPI and GitHub, per framework."""
    return Query(
        """
SELECT framework, 'hub_models' AS signal, max(snapshot_date) AS as_of,
       arg_max(models_count, snapshot_date) AS value
FROM hub_models_daily GROUP BY framework
UNION ALL
SELECT framework, 'questions_per_week', max(snapshot_date),
       sum(questions_per_week) FILTER (WHERE snapshot_date = last)
FROM (SELECT *, max(snapshot_date) OVER (PARTITION BY framework) AS last FROM stackoverflow_tags_daily)
GROUP BY framework
UNION ALL
SELECT framework, 'npm_downloads_30d', max(day), sum(downloads) FILTER (WHERE day > last - 30)
FROM (SELECT *, max(day) OVER (PARTITION BY framework) AS last FROM npm_downloads_daily)
GROUP BY framework
UNION ALL
SELECT framework, 'conda_downloads_month', max(month), sum(downloads) FILTER (WHERE month = last)
FROM (SELECT *, max(month) OVER (PARTITION BY framework) AS last FROM conda_downloads_monthly)
GROUP BY framework
ORDER BY framework, signal
"""
    )
