-- Internal helper (schema core, not a public view): every repo key any GitHub table holds,
-- resolved to GitHub's numeric id, the repo's current name and its framework. A renamed repo keeps
-- its id, so rows collected under its old name join the same repo and framework.
CREATE OR REPLACE VIEW core.github_repos AS
WITH registry AS (
    SELECT framework, unnest(github) AS repo_key FROM core.frameworks
),
seen AS (
    SELECT repo_key, arg_max(repo_id, fetched_at) AS repo_id
    FROM core.github_repo_snapshots GROUP BY repo_key
    UNION ALL
    SELECT repo_key, arg_max(repo_id, fetched_at) FROM core.github_star_anchors
    WHERE repo_key NOT IN (SELECT repo_key FROM core.github_repo_snapshots) AND repo_id IS NOT NULL
    GROUP BY repo_key
),
names AS (
    SELECT repo_id, arg_max(full_name, fetched_at) AS full_name
    FROM core.github_repo_snapshots GROUP BY repo_id
),
keys AS (
    SELECT repo_key FROM registry
    UNION SELECT repo_key FROM core.github_repo_snapshots
    UNION SELECT repo_key FROM core.github_releases
    UNION SELECT repo_key FROM core.github_tags
    UNION SELECT repo_key FROM core.github_author_months
    UNION SELECT repo_key FROM core.github_issue_counts
    UNION SELECT repo_key FROM core.github_issues
    UNION SELECT repo_key FROM core.github_star_days
),
by_id AS (
    SELECT s.repo_id, any_value(r.framework) AS framework
    FROM seen s JOIN registry r ON lower(r.repo_key) = lower(s.repo_key)
    GROUP BY s.repo_id
)
SELECT k.repo_key,
       s.repo_id,
       coalesce(n.full_name, k.repo_key) AS repo,
       coalesce(r.framework, b.framework) AS framework,
       r.framework IS NOT NULL AS in_registry
FROM keys k
LEFT JOIN seen s ON s.repo_key = k.repo_key
LEFT JOIN names n ON n.repo_id = s.repo_id
LEFT JOIN registry r ON lower(r.repo_key) = lower(k.repo_key)
LEFT JOIN by_id b ON b.repo_id = s.repo_id;
