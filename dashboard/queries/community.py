"""Queries of the Community page: GitHub repository stats, star history, community activity per
month, and release markers from GitHub releases and tags."""

from __future__ import annotations

from dashboard.queries import Query

COMMUNITY_METRICS = ("issues_opened", "issues_closed", "prs_opened", "prs_merged",
                     "median_days_to_close", "median_days_to_merge", "commits", "active_authors",
                     "first_time_authors", "bus_factor_12m")


def github_frameworks() -> Query:
    """Frameworks with any GitHub data, in registry order."""
    return Query(
        """
SELECT f.framework, f.name FROM frameworks f
WHERE f.framework IN (SELECT framework FROM repo_stats_daily
                      UNION SELECT framework FROM community_monthly
                      UNION SELECT framework FROM star_history)
ORDER BY f.registry_order
"""
    )


def github_latest(frameworks: list[str]) -> Query:
    """Each repo's latest observed day."""
    return Query(
        """
SELECT f.name AS framework_name, s.repo, s.stars, s.forks, s.watchers, s.open_issues, s.open_prs,
       s.pushed_at, s.archived, s.day, s.method
FROM repo_stats_daily s JOIN frameworks f USING (framework)
WHERE s.framework IN (SELECT unnest(?::VARCHAR[]))
QUALIFY row_number() OVER (PARTITION BY s.repo ORDER BY s.day DESC) = 1
ORDER BY s.stars DESC
""",
        (frameworks,),
    )


def _series() -> str:
    """A series label: the framework's name, with the repo when the framework has several."""
    return ("CASE WHEN count(*) OVER (PARTITION BY x.framework) > count(*) OVER (PARTITION BY x.repo)"
            " THEN f.name || ' · ' || x.repo ELSE f.name END")


def star_history(frameworks: list[str], since_year: int) -> Query:
    return Query(
        f"""
SELECT {_series()} AS series, x.framework, x.repo, x.day, x.stars, x.stars_added, x.method
FROM star_history x JOIN frameworks f USING (framework)
WHERE x.framework IN (SELECT unnest(?::VARCHAR[])) AND x.day >= make_date(?, 1, 1)
ORDER BY x.repo, x.day
""",
        (frameworks, since_year),
    )


def stars_per_week(frameworks: list[str], since_year: int) -> Query:
    """Stars gained per week: the week's last cumulative count minus the previous week's."""
    return Query(
        f"""
WITH weekly AS (
    SELECT framework, repo, date_trunc('week', day)::DATE AS week, arg_max(stars, day) AS stars,
           bool_or(method = 'estimated') AS estimated
    FROM star_history WHERE framework IN (SELECT unnest(?::VARCHAR[]))
    GROUP BY ALL
),
gains AS (
    SELECT *, stars - lag(stars) OVER (PARTITION BY repo ORDER BY week) AS gained,
           date_diff('week', lag(week) OVER (PARTITION BY repo ORDER BY week), week) AS gap
    FROM weekly
)
SELECT {_series()} AS series, x.framework, x.repo, x.week, x.gained,
       CASE WHEN x.estimated THEN 'estimated' ELSE 'exact' END AS method
FROM gains x JOIN frameworks f USING (framework)
WHERE x.gap = 1 AND x.week >= make_date(?, 1, 1)
ORDER BY x.repo, x.week
""",
        (frameworks, since_year),
    )


def forks_daily(frameworks: list[str], since_year: int) -> Query:
    return Query(
        f"""
SELECT {_series()} AS series, x.framework, x.repo, x.day, x.forks, x.watchers, x.open_issues,
       x.open_prs, x.method
FROM repo_stats_daily x JOIN frameworks f USING (framework)
WHERE x.framework IN (SELECT unnest(?::VARCHAR[])) AND x.day >= make_date(?, 1, 1)
ORDER BY x.repo, x.day
""",
        (frameworks, since_year),
    )


def community_monthly(frameworks: list[str], since_year: int) -> Query:
    columns = ", ".join(f"x.{c}" for c in COMMUNITY_METRICS)
    return Query(
        f"""
SELECT {_series()} AS series, x.framework, x.repo, x.month, {columns}, x.month_complete,
       x.authors_route
FROM community_monthly x JOIN frameworks f USING (framework)
WHERE x.framework IN (SELECT unnest(?::VARCHAR[])) AND x.month >= make_date(?, 1, 1)
ORDER BY x.repo, x.month
""",
        (frameworks, since_year),
    )


def github_release_markers(frameworks: list[str], since_year: int) -> Query:
    """Final X.Y(.0) GitHub releases (or tags) of the selected frameworks, for chart markers."""
    return Query(
        """
SELECT r.framework, f.name AS framework_name, r.tag_name, r.published_at::DATE AS day
FROM github_releases r JOIN frameworks f USING (framework)
WHERE r.framework IN (SELECT unnest(?::VARCHAR[])) AND NOT coalesce(r.is_prerelease, false)
  AND regexp_matches(coalesce(r.version, ''), '^\\d+\\.\\d+(\\.0)?$')
  AND r.published_at >= make_timestamptz(?, 1, 1, 0, 0, 0, 'UTC')
ORDER BY r.published_at
""",
        (frameworks, since_year),
    )
