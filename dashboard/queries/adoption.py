"""Queries of the Adoption page: PyPI downloads per framework, share, growth, version curves and
lags, the download mix, and the conda, Hugging Face, Stack Overflow and npm panels."""

from __future__ import annotations

from dashboard.queries import Query

MIX_VIEWS = {  # dimension -> (public view, category column); identifiers never come from users
    "python": ("downloads_by_python", "python_version"),
    "os": ("downloads_by_os", "os"),
    "installer": ("downloads_by_installer", "installer"),
    "ci": ("downloads_by_ci", "ci"),
}


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


def download_coverage() -> Query:
    """Frameworks with download data and the span they cover."""
    return Query(
        "SELECT framework, min(day) AS first_day, max(day) AS last_day "
        "FROM framework_downloads_daily GROUP BY framework"
    )


def framework_downloads(frameworks: list[str], since: str, bucket: str) -> Query:
    """Daily or weekly means of a framework's downloads and moving averages, since a day."""
    return Query(
        """
SELECT framework, framework_name, date_trunc(?, day) AS day,
       avg(downloads) AS downloads, avg(downloads_ma7) AS downloads_ma7,
       avg(downloads_ma28) AS downloads_ma28, string_agg(DISTINCT source, ', ') AS source
FROM framework_downloads_daily
WHERE framework IN (SELECT unnest(?::VARCHAR[])) AND day >= ?::DATE AND downloads > 0
GROUP BY ALL ORDER BY framework, day
""",
        (bucket, frameworks, since),
    )


def release_markers(frameworks: list[str], since: str) -> Query:
    """The first final release of each minor series (X.Y) of the primary packages."""
    return Query(
        """
SELECT m.framework, f.name AS framework_name, m.package || ' ' || m.series AS series,
       m.first_released_at::DATE AS day
FROM minor_series m JOIN frameworks f USING (framework)
WHERE m.framework IN (SELECT unnest(?::VARCHAR[])) AND m.role = 'primary'
  AND m.first_released_at::DATE >= ?::DATE
ORDER BY day
""",
        (frameworks, since),
    )


def ecosystem_share(frameworks: list[str], since: str, bucket: str) -> Query:
    return Query(
        """
SELECT framework, framework_name, date_trunc(?, day) AS day, avg(share_28d) AS share
FROM adoption_share
WHERE framework IN (SELECT unnest(?::VARCHAR[])) AND day >= ?::DATE
GROUP BY ALL ORDER BY day, framework
""",
        (bucket, frameworks, since),
    )


def growth_table(frameworks: list[str]) -> Query:
    """Each framework's latest day: 28-day mean, growth over a week, a month and a year, share."""
    return Query(
        """
WITH latest AS (
    SELECT framework, framework_name, day, downloads_ma28, wow_growth, mom_growth, yoy_growth,
           share_28d, rank() OVER (PARTITION BY day ORDER BY downloads_ma28 DESC) AS rank,
           packages, source
    FROM framework_downloads_daily
    QUALIFY row_number() OVER (PARTITION BY framework ORDER BY day DESC) = 1
)
SELECT * EXCLUDE (framework) FROM latest
WHERE framework IN (SELECT unnest(?::VARCHAR[]))
ORDER BY rank
""",
        (frameworks,),
    )


# The download views are filtered by package_key (a plain value or list_contains), which DuckDB
# pushes below their window functions: filtering on a joined column (package, framework) would
# compute the view for every package first (perf/downloads.py: 8.6 s -> well under a second).
def version_packages(frameworks: list[str]) -> Query:
    """Packages of the selected frameworks with version downloads, primary ones first."""
    return Query(
        """
SELECT p.framework, p.package, p.package_key
FROM packages p
WHERE p.framework IN (SELECT unnest(?::VARCHAR[]))
  AND EXISTS (SELECT 1 FROM core.pypi_downloads d WHERE d.package_key = p.package_key
              AND d.dimension = 'version')
ORDER BY p.role <> 'primary', p.framework, p.package
""",
        (frameworks,),
    )


def framework_package_keys(framework: str, role: str = "primary") -> Query:
    return Query("SELECT package_key FROM packages WHERE framework = ? AND role = ? ORDER BY 1",
                 (framework, role))


def version_curves(package_key: str, since: str, top: int = 8) -> Query:
    """Weekly share of a package's downloads per minor series; the largest `top` series by peak."""
    return Query(
        """
WITH weekly AS (
    SELECT date_trunc('week', day) AS week, coalesce(minor_series, version) AS series,
           sum(downloads) AS downloads
    FROM downloads_by_version WHERE package_key = ? AND day >= ?::DATE GROUP BY ALL
),
shares AS (
    SELECT week, series, downloads / sum(downloads) OVER (PARTITION BY week) AS share FROM weekly
),
top AS (
    SELECT series FROM shares GROUP BY series ORDER BY max(share) DESC LIMIT ?
)
SELECT week, series, share FROM shares WHERE series IN (SELECT series FROM top)
ORDER BY week, series
""",
        (package_key, since, top),
    )


def version_lags(package_key: str) -> Query:
    return Query(
        """
SELECT version, released_on, days_to_25, days_to_50, peak_share, peak_day, latest_share,
       covers_release, source
FROM version_adoption WHERE package_key = ? AND level = 'minor'
ORDER BY coalesce(released_on, first_day) DESC
""",
        (package_key,),
    )


def download_mix(dimension: str, package_keys: list[str], since: str) -> Query:
    """Monthly mix of some packages (a framework's primary ones) along one dimension."""
    view, column = MIX_VIEWS[dimension]
    return Query(
        f"""
WITH monthly AS (
    SELECT date_trunc('month', day) AS month, {column} AS category, sum(downloads) AS downloads,
           string_agg(DISTINCT source, ', ') AS source
    FROM {view}
    WHERE list_contains(?::VARCHAR[], package_key) AND day >= ?::DATE
    GROUP BY ALL
)
SELECT month, category, downloads, downloads / sum(downloads) OVER (PARTITION BY month) AS share,
       source
FROM monthly ORDER BY month, downloads DESC
""",
        (package_keys, since),
    )
