-- The latest snapshots: stars, forks, open issues and PRs per repo
SELECT framework, repo, day, stars, forks, open_issues, open_prs, method
FROM repo_stats_daily ORDER BY day DESC, stars DESC LIMIT 20;
