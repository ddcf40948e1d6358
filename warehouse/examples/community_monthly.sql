-- Merged PRs, active authors and the lowest bus factor per framework and year
SELECT framework, year(month) AS year, sum(prs_merged) AS prs_merged,
       round(avg(active_authors)) AS authors_per_month, min(bus_factor_12m) AS bus_factor
FROM community_monthly GROUP BY ALL ORDER BY framework, year;
