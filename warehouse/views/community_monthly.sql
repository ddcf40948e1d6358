CREATE OR REPLACE VIEW main.community_monthly AS
WITH keys AS (
    -- a repo renamed since may hold rows under its old key too: keep one key per repo and month
    SELECT repo_key, repo_id, repo, framework, in_registry FROM core.github_repos
),
searched AS (
    SELECT k.repo, c.* FROM core.github_issue_counts c JOIN keys k USING (repo_key)
    QUALIFY row_number() OVER (PARTITION BY k.repo, c.month ORDER BY c.counted_at DESC) = 1
),
authors AS (  -- the git clone wins over /stats/contributors where a repo has both
    SELECT k.repo, a.* FROM core.github_author_months a JOIN keys k USING (repo_key)
    QUALIFY a.route = 'git_clone' OR NOT bool_or(a.route = 'git_clone') OVER (PARTITION BY k.repo)
),
per_author AS (
    SELECT repo, month, author, sum(commits) AS commits, any_value(route) AS route
    FROM authors GROUP BY ALL
),
active AS (
    SELECT repo, month, sum(commits)::BIGINT AS commits, count(*) AS active_authors
    FROM per_author GROUP BY ALL
),
spine AS (  -- every month from a repo's first commit to the last read of its history
    SELECT k.repo, any_value(s.route) AS route,
           unnest(generate_series(min(a.month), date_trunc('month', max(s.fetched_at))::DATE,
                                  INTERVAL 1 MONTH))::DATE AS month
    FROM core.github_commit_sources s
    JOIN keys k USING (repo_key)
    JOIN per_author a ON a.repo = k.repo
    GROUP BY k.repo
),
monthly AS (  -- a month without commits inside the history is a zero, not a gap
    SELECT s.repo, s.month, coalesce(a.commits, 0) AS commits,
           coalesce(a.active_authors, 0) AS active_authors, s.route AS authors_route
    FROM spine s LEFT JOIN active a USING (repo, month)
),
first_seen AS (
    SELECT repo, min(month) AS month, author FROM per_author GROUP BY repo, author
),
first_time AS (
    SELECT repo, month, count(*) AS first_time_authors FROM first_seen GROUP BY ALL
),
last12 AS (  -- every author's commits in the 12 months up to and including each month
    SELECT m.repo, m.month, p.author, sum(p.commits) AS commits
    FROM monthly m JOIN per_author p
      ON p.repo = m.repo AND p.month > m.month - INTERVAL 12 MONTH AND p.month <= m.month
    GROUP BY ALL
),
ranked AS (
    SELECT repo, month, commits,
           row_number() OVER w AS rank,
           sum(commits) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
           sum(commits) OVER (PARTITION BY repo, month) AS total
    FROM last12 WINDOW w AS (PARTITION BY repo, month ORDER BY commits DESC, author)
),
bus AS (
    SELECT repo, month, min(rank) AS bus_factor_12m FROM ranked
    WHERE running * 2 >= total GROUP BY ALL
),
listed AS (  -- medians only for repos whose issue listing reached its end at least once
    SELECT k.repo, i.* FROM core.github_issues i JOIN keys k USING (repo_key)
    WHERE i.repo_key IN (SELECT repo_key FROM core.github_issue_listing)
    QUALIFY row_number() OVER (PARTITION BY k.repo, i.number ORDER BY i.updated_at DESC) = 1
),
listed_counts AS (  -- a complete listing counts every month itself
    SELECT repo, month, count(*) FILTER (WHERE what = 'issue_created') AS issues_opened,
           count(*) FILTER (WHERE what = 'issue_closed') AS issues_closed,
           count(*) FILTER (WHERE what = 'pr_created') AS prs_opened,
           count(*) FILTER (WHERE what = 'pr_merged') AS prs_merged
    FROM (
        SELECT repo, CASE WHEN is_pr THEN 'pr_created' ELSE 'issue_created' END AS what,
               date_trunc('month', created_at)::DATE AS month FROM listed
        UNION ALL
        SELECT repo, 'issue_closed', date_trunc('month', closed_at)::DATE FROM listed
        WHERE NOT is_pr AND closed_at IS NOT NULL
        UNION ALL
        SELECT repo, 'pr_merged', date_trunc('month', merged_at)::DATE FROM listed
        WHERE is_pr AND merged_at IS NOT NULL
    ) GROUP BY ALL
),
listed_spine AS (  -- every month from a repo's first issue to its last listing: zeros count
    SELECT c.repo, any_value(s.synced) AS synced,
           unnest(generate_series(min(c.month), any_value(s.synced), INTERVAL 1 MONTH))::DATE AS month
    FROM listed_counts c
    JOIN (SELECT k.repo, date_trunc('month', max(l.synced_at))::DATE AS synced
          FROM core.github_issue_listing l JOIN keys k USING (repo_key) GROUP BY k.repo) s
      USING (repo)
    GROUP BY c.repo
),
counts AS (
    SELECT s.repo, s.month, coalesce(l.issues_opened, 0) AS issues_opened,
           coalesce(l.issues_closed, 0) AS issues_closed, coalesce(l.prs_opened, 0) AS prs_opened,
           coalesce(l.prs_merged, 0) AS prs_merged,
           s.month < s.synced AS month_complete,
           false AS incomplete_results, 'issue_listing' AS counts_route
    FROM listed_spine s LEFT JOIN listed_counts l USING (repo, month)
    UNION ALL BY NAME
    SELECT repo, month, issues_opened, issues_closed, prs_opened, prs_merged, month_complete,
           incomplete_results, 'search_total_count' AS counts_route
    FROM searched WHERE repo NOT IN (SELECT repo FROM listed)
),
closed AS (
    SELECT repo, date_trunc('month', closed_at)::DATE AS month,
           median((epoch(closed_at) - epoch(created_at)) / 86400.0) AS median_days_to_close,
           count(*) AS issues_closed_listed
    FROM listed WHERE NOT is_pr AND closed_at IS NOT NULL GROUP BY ALL
),
merged AS (
    SELECT repo, date_trunc('month', merged_at)::DATE AS month,
           median((epoch(merged_at) - epoch(created_at)) / 86400.0) AS median_days_to_merge,
           count(*) AS prs_merged_listed
    FROM listed WHERE is_pr AND merged_at IS NOT NULL GROUP BY ALL
),
months AS (
    SELECT repo, month FROM counts UNION SELECT repo, month FROM monthly
    UNION SELECT repo, month FROM closed UNION SELECT repo, month FROM merged
),
repos AS (
    SELECT repo, any_value(repo_id) AS repo_id, any_value(framework) AS framework
    FROM keys GROUP BY repo
)
SELECT r.framework, m.repo, r.repo_id, m.month,
       c.issues_opened, c.issues_closed, c.prs_opened, c.prs_merged,
       c.month_complete, c.incomplete_results, c.counts_route,
       round(cl.median_days_to_close, 2) AS median_days_to_close,
       round(mg.median_days_to_merge, 2) AS median_days_to_merge,
       cl.issues_closed_listed, mg.prs_merged_listed,
       a.commits, a.active_authors,
       CASE WHEN a.commits IS NOT NULL THEN coalesce(f.first_time_authors, 0) END AS first_time_authors,
       CASE WHEN a.commits > 0 OR b.bus_factor_12m IS NOT NULL THEN b.bus_factor_12m END
           AS bus_factor_12m,
       a.authors_route
FROM months m
LEFT JOIN repos r USING (repo)
LEFT JOIN counts c USING (repo, month)
LEFT JOIN closed cl USING (repo, month)
LEFT JOIN merged mg USING (repo, month)
LEFT JOIN monthly a USING (repo, month)
LEFT JOIN first_time f USING (repo, month)
LEFT JOIN bus b USING (repo, month);

COMMENT ON VIEW main.community_monthly IS 'Community history per GitHub repo per month back to its birth (repo grain, with framework). Sources: counts and medians from the full issue listing (counts from the search API''s total_count until a listing is complete); commits and authors from a blobless git clone (or /stats/contributors). dltrends collect --source github-history; a NULL is a number not collected yet, never a zero.';
COMMENT ON COLUMN main.community_monthly.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.community_monthly.repo IS 'owner/name of the repo (its current name).';
COMMENT ON COLUMN main.community_monthly.repo_id IS 'GitHub''s numeric repository id.';
COMMENT ON COLUMN main.community_monthly.month IS 'First day of the month (UTC).';
COMMENT ON COLUMN main.community_monthly.issues_opened IS 'Issues opened that month (pull requests not included).';
COMMENT ON COLUMN main.community_monthly.issues_closed IS 'Issues whose closing date falls in the month.';
COMMENT ON COLUMN main.community_monthly.prs_opened IS 'Pull requests opened that month.';
COMMENT ON COLUMN main.community_monthly.prs_merged IS 'Pull requests merged that month.';
COMMENT ON COLUMN main.community_monthly.month_complete IS 'False when the counts were taken while the month was still running.';
COMMENT ON COLUMN main.community_monthly.counts_route IS 'issue_listing (counted from every issue and PR, once the repo''s listing is complete) or search_total_count (the search API''s total_count per month, until then).';
COMMENT ON COLUMN main.community_monthly.incomplete_results IS 'True when GitHub''s search reported incomplete results (the counts may be low).';
COMMENT ON COLUMN main.community_monthly.median_days_to_close IS 'Median days from opening to closing of the issues closed that month; NULL until the repo''s issue listing is complete.';
COMMENT ON COLUMN main.community_monthly.median_days_to_merge IS 'Median days from opening to merging of the PRs merged that month; NULL until the listing is complete.';
COMMENT ON COLUMN main.community_monthly.issues_closed_listed IS 'Closed issues behind median_days_to_close.';
COMMENT ON COLUMN main.community_monthly.prs_merged_listed IS 'Merged PRs behind median_days_to_merge.';
COMMENT ON COLUMN main.community_monthly.commits IS 'Commits that landed on the default branch that month (committer date).';
COMMENT ON COLUMN main.community_monthly.active_authors IS 'Distinct commit authors that month (by e-mail after .mailmap).';
COMMENT ON COLUMN main.community_monthly.first_time_authors IS 'Authors whose first commit in the repo landed that month.';
COMMENT ON COLUMN main.community_monthly.bus_factor_12m IS 'Fewest authors who made 50 % of the commits in the 12 months ending with this one.';
COMMENT ON COLUMN main.community_monthly.authors_route IS 'git_clone (every commit) or stats_api (/stats/contributors: top 100 contributors only, so authors are a lower bound).';
