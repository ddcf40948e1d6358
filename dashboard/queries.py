"""Every query the dashboard runs: public views only, bound parameters only."""

from __future__ import annotations

from dashboard.db import Query

ROLE_SETS = {
    "primary": ["primary"],
    "counted": ["primary", "variant"],
    "all": ["primary", "variant", "companion", "nightly", "ecosystem"],
}


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


def row_counts(views: list[str]) -> Query:
    """Row count of every public view; names come from duckdb_views(), quoted as identifiers."""
    parts = [
        f"SELECT '{v.replace(chr(39), chr(39) * 2)}' AS view_name, count(*) AS row_count "
        f'FROM "{v.replace(chr(34), chr(34) * 2)}"'
        for v in views
    ]
    return Query("\nUNION ALL\n".join(parts) + "\nORDER BY view_name")


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


# Performance (issue 6): dltrends bench results and MLPerf --------------------------------------


def bench_machines() -> Query:
    """Machines with benchmark results, the most recently measured first."""
    return Query(
        """
SELECT machine_id, any_value(cpu_model) AS cpu_model, max(started_at) AS last_run_at,
       count(DISTINCT run_id) AS runs
FROM benchmark_runs GROUP BY machine_id ORDER BY last_run_at DESC
"""
    )


def bench_results(machine_id: str) -> Query:
    """Every successful result on one machine (reduced to the latest per version in Python)."""
    return Query(
        """
SELECT framework, package, version, benchmark, case_key, mode, median, iqr, cv, noisy, n,
       gflops, started_at, run_id
FROM benchmark_results
WHERE machine_id = ? AND status = 'ok'
ORDER BY started_at
""",
        (machine_id,),
    )


def bench_regressions(machine_id: str, framework: str) -> Query:
    return Query(
        """
SELECT package, case_key, mode, from_version, to_version, before_median, after_median, change,
       noise, kind
FROM benchmark_regressions
WHERE machine_id = ? AND framework = ?
ORDER BY case_key, to_version
""",
        (machine_id, framework),
    )


def bench_fingerprint(machine_id: str) -> Query:
    """The latest run on the machine: its fingerprint and each environment."""
    return Query(
        """
SELECT started_at, spec, framework, version, status, build_blas, build_cuda, install_s,
       round(env_bytes / 1e6) AS env_mb, env_cached, installer, threads, cpu_model,
       cpu_cores_logical, cpu_cores_physical, round(memory_bytes / 1e9, 1) AS memory_gb, gpus,
       gpu_driver, os, python_version, blas_env, dltrends_version, error
FROM benchmark_runs
WHERE run_id = (SELECT arg_max(run_id, started_at) FROM benchmark_runs WHERE machine_id = ?)
ORDER BY framework, spec
""",
        (machine_id,),
    )


def mlperf_share(suite: str) -> Query:
    """Submission results per framework and round (framework NULL: unmapped)."""
    return Query(
        """
SELECT round, coalesce(framework, 'unmapped') AS framework, count(*) AS results
FROM mlperf_results WHERE suite = ?
GROUP BY ALL ORDER BY round, results DESC
""",
        (suite,),
    )


def mlperf_best_times() -> Query:
    """Best (lowest) training time per benchmark, framework and round."""
    return Query(
        """
SELECT benchmark, round, framework, min(score) AS best_minutes,
       arg_min(submitter || ' · ' || system, score) AS fastest
FROM mlperf_results
WHERE suite = 'training' AND score IS NOT NULL AND framework IS NOT NULL
GROUP BY ALL ORDER BY benchmark, round
""",
    )


def mlperf_unmapped(limit: int = 200) -> Query:
    return Query(
        """
SELECT suite, round, submitter, system, benchmark, engine, framework_evidence, system_framework
FROM mlperf_results WHERE framework IS NULL
ORDER BY suite, round, submitter, system, benchmark LIMIT ?
""",
        (limit,),
    )


# --- Adoption (issue 4: PyPI downloads) ----------------------------------------------------------

MIX_VIEWS = {  # dimension -> (public view, category column); identifiers never come from users
    "python": ("downloads_by_python", "python_version"),
    "os": ("downloads_by_os", "os"),
    "installer": ("downloads_by_installer", "installer"),
    "ci": ("downloads_by_ci", "ci"),
}


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
SELECT r.framework, f.name AS framework_name,
       r.package || ' ' || r.version_major || '.' || r.version_minor AS series,
       min(r.released_at)::DATE AS day
FROM releases r JOIN frameworks f USING (framework)
WHERE r.framework IN (SELECT unnest(?::VARCHAR[])) AND r.role = 'primary'
  AND NOT coalesce(r.is_prerelease, true) AND r.released_at IS NOT NULL
GROUP BY ALL HAVING min(r.released_at)::DATE >= ?::DATE
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


# GitHub activity (issue 3): the Community page and the release notes on the Releases page ---------
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


COMMUNITY_METRICS = ("issues_opened", "issues_closed", "prs_opened", "prs_merged",
                     "median_days_to_close", "median_days_to_merge", "commits", "active_authors",
                     "first_time_authors", "bus_factor_12m")


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


def frameworks_with_notes() -> Query:
    return Query(
        "SELECT DISTINCT framework FROM github_releases WHERE kind = 'release' AND note_items > 0"
    )


def release_note_counts(framework: str, limit: int = 30) -> Query:
    """Per release of one framework (newest first): its note items by category."""
    return Query(
        """
SELECT tag_name, name, published_at, is_prerelease, breaking_changes, deprecations, features, fixes,
       performance_items, security_items, note_items, pypi_version, url, release_id
FROM github_releases
WHERE framework = ? AND kind = 'release'
ORDER BY published_at DESC
LIMIT ?
""",
        (framework, limit),
    )


def release_note_items(release_id: int) -> Query:
    return Query(
        """
SELECT item_no, category, section, text FROM release_note_items
WHERE release_id = ? ORDER BY item_no
""",
        (release_id,),
    )


def release_body(release_id: int) -> Query:
    return Query("SELECT tag_name, url, body FROM github_releases WHERE release_id = ?", (release_id,))


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


# --- Insight (issue 7): Overview, Compare, Framework detail, Advisor ------------------------------
# Signal series come back long (framework, date, value) for dltrends.analysis; `days` bounds the
# history read (None: all of it). A framework's star and author sums keep only the days (months)
# on which every one of its repos has a value, so a missing repo never reads as a drop.

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


def first_releases() -> Query:
    """Each framework's first known release: its first PyPI upload of a primary package, its
    first GitHub release or tag, or a 'launch' event in the registry, whichever is earliest."""
    return Query(
        """
SELECT framework, min(day) AS first_release FROM (
    SELECT framework, min(released_at)::DATE AS day FROM releases
    WHERE role = 'primary' AND released_at IS NOT NULL GROUP BY framework
    UNION ALL
    SELECT framework, min(published_at)::DATE FROM github_releases
    WHERE published_at IS NOT NULL GROUP BY framework
    UNION ALL
    SELECT framework, min(event_date) FROM framework_events WHERE kind = 'launch' GROUP BY framework
) WHERE framework IS NOT NULL GROUP BY framework
"""
    )


def minor_releases(frameworks: list[str]) -> Query:
    """The first final release of each minor series (X.Y) of the primary packages, every year."""
    return Query(
        """
SELECT r.framework, f.name AS framework_name,
       r.package || ' ' || r.version_major || '.' || r.version_minor AS label,
       min(r.released_at)::DATE AS date
FROM releases r JOIN frameworks f USING (framework)
WHERE r.framework IN (SELECT unnest(?::VARCHAR[])) AND r.role = 'primary'
  AND NOT coalesce(r.is_prerelease, true) AND r.released_at IS NOT NULL
  AND r.version_major IS NOT NULL
GROUP BY r.framework, f.name, r.package, r.version_major, r.version_minor
ORDER BY date
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
