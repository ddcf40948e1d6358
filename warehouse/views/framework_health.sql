CREATE OR REPLACE VIEW main.framework_health AS
WITH finals AS (  -- final, not yanked releases of primary packages with a date
    SELECT framework, package, version, released_at
    FROM main.releases
    WHERE role = 'primary' AND NOT coalesce(is_prerelease, true) AND NOT yanked
      AND released_at IS NOT NULL
),
latest AS (
    SELECT framework, arg_max(package || ' ' || version, released_at) AS latest_release,
           max(released_at) AS last_release_at
    FROM finals GROUP BY framework
),
ranked_gaps AS (  -- days between the first releases of consecutive minor series (X.Y)
    SELECT framework, days_since_previous_series AS gap,
           row_number() OVER (PARTITION BY framework ORDER BY first_released_at DESC) AS back
    FROM main.minor_series WHERE role = 'primary' AND days_since_previous_series IS NOT NULL
),
cadence AS (
    SELECT framework, count(*) + 1 AS minor_releases,
           median(gap) FILTER (WHERE back <= 4) AS recent_cadence_days,
           median(gap) FILTER (WHERE back BETWEEN 5 AND 8) AS previous_cadence_days,
           count(*) FILTER (WHERE back <= 8) = 8 AS cadence_complete
    FROM ranked_gaps GROUP BY framework
),
done_months AS (  -- community months that have ended (the running month is left out)
    SELECT * FROM main.community_monthly
    WHERE month < date_trunc('month', now() AT TIME ZONE 'UTC')::DATE
),
close_months AS (  -- per framework and month: the median across its repos of the monthly medians
    SELECT framework, month, median(median_days_to_close) AS close_days,
           row_number() OVER (PARTITION BY framework ORDER BY month DESC) AS back
    FROM done_months WHERE median_days_to_close IS NOT NULL GROUP BY framework, month
),
close_time AS (
    SELECT framework,
           median(close_days) FILTER (WHERE back <= 6) AS recent_close_days,
           median(close_days) FILTER (WHERE back BETWEEN 7 AND 12) AS previous_close_days,
           count(*) FILTER (WHERE back <= 6) >= 3 AND count(*) FILTER (WHERE back BETWEEN 7 AND 12) >= 3
               AS close_complete,
           max(month) AS close_time_through
    FROM close_months GROUP BY framework
),
repo_last AS (
    SELECT repo, max(month) AS last_month FROM done_months GROUP BY repo
),
repo_activity AS (  -- the main repo: most commits in the 12 months up to its latest ended month
    SELECT c.framework, c.repo, sum(c.commits) AS commits_12m
    FROM done_months c JOIN repo_last r USING (repo)
    WHERE c.month > r.last_month - INTERVAL 12 MONTH
    GROUP BY c.framework, c.repo
),
main_repo AS (
    SELECT framework, repo FROM repo_activity
    QUALIFY row_number() OVER (PARTITION BY framework ORDER BY commits_12m DESC NULLS LAST, repo) = 1
),
bus AS (
    SELECT c.framework, any_value(c.repo) AS bus_factor_repo,
           arg_max(c.bus_factor_12m, c.month) AS bus_factor, max(c.month) AS bus_factor_month
    FROM done_months c JOIN main_repo m USING (framework, repo)
    WHERE c.bus_factor_12m IS NOT NULL
    GROUP BY c.framework
),
authors AS (  -- active authors of the latest ended month, over the framework's repos
    SELECT framework, sum(active_authors)::BIGINT AS active_authors, month AS active_authors_month
    FROM done_months WHERE active_authors IS NOT NULL GROUP BY framework, month
    QUALIFY row_number() OVER (PARTITION BY framework ORDER BY month DESC) = 1
),
advisories AS (
    SELECT framework, sum(open_vulnerabilities) FILTER (WHERE osv_checked)::BIGINT AS open_vulnerabilities,
           bool_or(osv_checked) AS osv_checked
    FROM main.latest_release_vulnerabilities GROUP BY framework
),
notes AS (  -- the last 10 final GitHub releases that carry release notes
    SELECT framework, avg(breaking_changes) AS breaking_per_release, count(*) AS releases_with_notes
    FROM (
        SELECT framework, breaking_changes FROM main.github_releases
        WHERE kind = 'release' AND NOT is_prerelease AND note_items > 0
        QUALIFY row_number() OVER (PARTITION BY framework ORDER BY published_at DESC) <= 10
    ) GROUP BY framework
),
events AS (
    SELECT framework, arg_max(kind, event_date) AS last_event_kind,
           arg_max(note, event_date) AS last_event_note, max(event_date) AS last_event_date
    FROM main.framework_events GROUP BY framework
)
SELECT f.framework, f.name AS framework_name, f.status, f.successor,
       e.last_event_kind, e.last_event_note, e.last_event_date,
       l.latest_release, l.last_release_at,
       date_diff('day', l.last_release_at, now()) AS days_since_release,
       c.minor_releases, c.recent_cadence_days, c.previous_cadence_days,
       CASE WHEN c.cadence_complete
            THEN c.recent_cadence_days / nullif(c.previous_cadence_days, 0) END AS cadence_ratio,
       t.recent_close_days, t.previous_close_days,
       CASE WHEN t.close_complete
            THEN t.recent_close_days / nullif(t.previous_close_days, 0) END AS close_time_ratio,
       t.close_time_through,
       b.bus_factor, b.bus_factor_repo, b.bus_factor_month,
       a.active_authors, a.active_authors_month,
       v.open_vulnerabilities, coalesce(v.osv_checked, false) AS osv_checked,
       n.breaking_per_release, n.releases_with_notes
FROM main.frameworks f
LEFT JOIN events e USING (framework)
LEFT JOIN latest l USING (framework)
LEFT JOIN cadence c USING (framework)
LEFT JOIN close_time t USING (framework)
LEFT JOIN bus b USING (framework)
LEFT JOIN authors a USING (framework)
LEFT JOIN advisories v USING (framework)
LEFT JOIN notes n USING (framework)
ORDER BY f.registry_order;

COMMENT ON VIEW main.framework_health IS 'Lifecycle and health facts per framework (framework grain), the inputs of the dashboard''s health score: status and successor, last release age, release cadence trend, issue close time trend, bus factor, open vulnerabilities, breaking changes per release. Sources: the registry, releases (PyPI), community_monthly and github_releases (GitHub), latest_release_vulnerabilities (OSV). A NULL is a fact not collected yet, never a zero. Ages are measured from the time of the query.';
COMMENT ON COLUMN main.framework_health.framework IS 'Registry id.';
COMMENT ON COLUMN main.framework_health.framework_name IS 'Display name.';
COMMENT ON COLUMN main.framework_health.status IS 'Lifecycle: active, maintenance, archived or retired (curated in the registry).';
COMMENT ON COLUMN main.framework_health.successor IS 'Framework id that succeeded it; NULL when none.';
COMMENT ON COLUMN main.framework_health.last_event_kind IS 'Kind of the latest lifecycle event in the registry (launch, major, rename, merge, deprecation, maintenance, retired, other).';
COMMENT ON COLUMN main.framework_health.last_event_note IS 'What the latest lifecycle event was.';
COMMENT ON COLUMN main.framework_health.last_event_date IS 'Date of the latest lifecycle event.';
COMMENT ON COLUMN main.framework_health.latest_release IS 'Newest final, not yanked release of a primary package (package and version).';
COMMENT ON COLUMN main.framework_health.last_release_at IS 'When it was released (UTC).';
COMMENT ON COLUMN main.framework_health.days_since_release IS 'Days from last_release_at to the time of the query.';
COMMENT ON COLUMN main.framework_health.minor_releases IS 'Minor series (X.Y) of the primary packages with a final release.';
COMMENT ON COLUMN main.framework_health.recent_cadence_days IS 'Median days between the first final releases of consecutive minor series, over the last 4 gaps.';
COMMENT ON COLUMN main.framework_health.previous_cadence_days IS 'The same median over the 4 gaps before those.';
COMMENT ON COLUMN main.framework_health.cadence_ratio IS 'recent_cadence_days / previous_cadence_days (2 = releasing half as often); NULL with fewer than 9 minor series.';
COMMENT ON COLUMN main.framework_health.recent_close_days IS 'Median over the last 6 ended months of the monthly median days to close an issue (median across the framework''s repos each month).';
COMMENT ON COLUMN main.framework_health.previous_close_days IS 'The same over the 6 months before those.';
COMMENT ON COLUMN main.framework_health.close_time_ratio IS 'recent_close_days / previous_close_days (2 = issues take twice as long to close); NULL unless both windows hold 3 or more months.';
COMMENT ON COLUMN main.framework_health.close_time_through IS 'Latest ended month with a median close time.';
COMMENT ON COLUMN main.framework_health.bus_factor IS 'bus_factor_12m of the main repo (most commits in its last 12 ended months) in its latest ended month: the fewest authors who made half of the commits.';
COMMENT ON COLUMN main.framework_health.bus_factor_repo IS 'The repo the bus factor is of.';
COMMENT ON COLUMN main.framework_health.bus_factor_month IS 'The month the bus factor is of.';
COMMENT ON COLUMN main.framework_health.active_authors IS 'Distinct commit authors in the latest ended month, summed over the framework''s repos.';
COMMENT ON COLUMN main.framework_health.active_authors_month IS 'The month active_authors is of.';
COMMENT ON COLUMN main.framework_health.open_vulnerabilities IS 'Distinct known vulnerabilities on the latest final release of the primary packages (OSV; withdrawn ones left out); NULL until OSV was asked.';
COMMENT ON COLUMN main.framework_health.osv_checked IS 'True when OSV was asked about a latest release of the framework.';
COMMENT ON COLUMN main.framework_health.breaking_per_release IS 'Mean release-note items classified as breaking changes, over the last 10 final GitHub releases with notes.';
COMMENT ON COLUMN main.framework_health.releases_with_notes IS 'Releases behind breaking_per_release (at most 10).';
