CREATE OR REPLACE VIEW main.framework_stats_daily AS
WITH tracked AS (
    SELECT framework, count(*) AS repos_tracked FROM (
        SELECT framework, unnest(github) AS repo FROM core.frameworks
    ) GROUP BY framework
),
daily AS (  -- the same rows as repo_stats_daily (views are created in file order)
    SELECT r.framework, o.observed_on AS day, s.stars, s.forks, s.watchers, s.open_issues,
           s.open_prs, s.archived
    FROM core.github_repo_observations o
    ASOF JOIN core.github_repo_snapshots s
        ON o.repo_id = s.repo_id AND o.observed_on >= s.snapshot_date
    JOIN core.github_repos r ON r.repo_key = o.repo_key
    WHERE r.framework IS NOT NULL
)
SELECT d.framework,
       d.day,
       count(*) AS repos_observed,
       any_value(t.repos_tracked) AS repos_tracked,
       sum(d.stars)::BIGINT AS stars,
       sum(d.forks)::BIGINT AS forks,
       sum(d.watchers)::BIGINT AS watchers,
       sum(d.open_issues)::BIGINT AS open_issues,
       sum(d.open_prs)::BIGINT AS open_prs,
       bool_and(d.archived) AS all_archived
FROM daily d
LEFT JOIN tracked t USING (framework)
GROUP BY d.framework, d.day;

COMMENT ON VIEW main.framework_stats_daily IS 'One row per framework per UTC day: sums over its GitHub repos (framework grain). Source: repo_stats_daily. A day where repos_observed < repos_tracked sums only the repos observed that day.';
COMMENT ON COLUMN main.framework_stats_daily.framework IS 'Registry id.';
COMMENT ON COLUMN main.framework_stats_daily.day IS 'UTC date.';
COMMENT ON COLUMN main.framework_stats_daily.repos_observed IS 'Repos of the framework observed that day.';
COMMENT ON COLUMN main.framework_stats_daily.repos_tracked IS 'Repos the registry lists for the framework.';
COMMENT ON COLUMN main.framework_stats_daily.stars IS 'Sum of stars.';
COMMENT ON COLUMN main.framework_stats_daily.forks IS 'Sum of forks.';
COMMENT ON COLUMN main.framework_stats_daily.watchers IS 'Sum of watchers (subscribers).';
COMMENT ON COLUMN main.framework_stats_daily.open_issues IS 'Sum of open issues (PRs excluded).';
COMMENT ON COLUMN main.framework_stats_daily.open_prs IS 'Sum of open pull requests.';
COMMENT ON COLUMN main.framework_stats_daily.all_archived IS 'True when every observed repo is archived.';
