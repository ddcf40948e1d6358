CREATE OR REPLACE VIEW main.repo_stats_daily AS
SELECT r.framework,
       r.repo,
       o.repo_id,
       o.observed_on AS day,
       s.stars,
       s.forks,
       s.watchers,
       s.open_issues,
       s.open_prs,
       s.archived,
       s.disabled,
       s.pushed_at,
       s.created_at,
       s.default_branch,
       s.license,
       s.topics,
       s.size_kb,
       o.method,
       s.snapshot_date AS values_from,
       s.via,
       o.observed_at
FROM core.github_repo_observations o
ASOF JOIN core.github_repo_snapshots s
    ON o.repo_id = s.repo_id AND o.observed_on >= s.snapshot_date
LEFT JOIN core.github_repos r ON r.repo_key = o.repo_key;

COMMENT ON VIEW main.repo_stats_daily IS 'One row per GitHub repo per UTC day it was observed (repo grain, with its framework). Source: GitHub REST GET /repos/{owner}/{repo} (conditional) without a token, GraphQL with one (dltrends collect --source github).';
COMMENT ON COLUMN main.repo_stats_daily.framework IS 'Registry id of the framework the repo belongs to.';
COMMENT ON COLUMN main.repo_stats_daily.repo IS 'owner/name as GitHub names the repo now (renames followed).';
COMMENT ON COLUMN main.repo_stats_daily.repo_id IS 'GitHub''s numeric repository id: the stable key across renames.';
COMMENT ON COLUMN main.repo_stats_daily.day IS 'UTC date of the observation.';
COMMENT ON COLUMN main.repo_stats_daily.stars IS 'Stargazers (stargazers_count; REST watchers_count is the same number).';
COMMENT ON COLUMN main.repo_stats_daily.forks IS 'Forks.';
COMMENT ON COLUMN main.repo_stats_daily.watchers IS 'Watchers: people subscribed to notifications (subscribers_count).';
COMMENT ON COLUMN main.repo_stats_daily.open_issues IS 'Open issues, pull requests excluded (REST open_issues_count minus open PRs).';
COMMENT ON COLUMN main.repo_stats_daily.open_prs IS 'Open pull requests.';
COMMENT ON COLUMN main.repo_stats_daily.archived IS 'True when the repo is archived (read-only).';
COMMENT ON COLUMN main.repo_stats_daily.disabled IS 'True when GitHub disabled the repo.';
COMMENT ON COLUMN main.repo_stats_daily.pushed_at IS 'Last push to any branch (UTC).';
COMMENT ON COLUMN main.repo_stats_daily.created_at IS 'When the repo was created on GitHub (UTC).';
COMMENT ON COLUMN main.repo_stats_daily.default_branch IS 'Default branch name.';
COMMENT ON COLUMN main.repo_stats_daily.license IS 'SPDX id of the detected licence (or its name).';
COMMENT ON COLUMN main.repo_stats_daily.topics IS 'Repository topics.';
COMMENT ON COLUMN main.repo_stats_daily.size_kb IS 'Repository size in kilobytes as GitHub reports it.';
COMMENT ON COLUMN main.repo_stats_daily.method IS 'fetched: values read that day; not_modified: GitHub answered 304 (unchanged), the values are those of values_from.';
COMMENT ON COLUMN main.repo_stats_daily.values_from IS 'UTC date the values were fetched.';
COMMENT ON COLUMN main.repo_stats_daily.via IS 'rest or graphql: the API that gave the values.';
COMMENT ON COLUMN main.repo_stats_daily.observed_at IS 'When dltrends asked (UTC).';
