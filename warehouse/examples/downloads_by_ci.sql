-- Share of downloads from CI systems
SELECT framework, sum(downloads) FILTER (WHERE ci = 'ci') / sum(downloads) AS ci_share
FROM downloads_by_ci WHERE role = 'primary' GROUP BY framework ORDER BY ci_share DESC;
