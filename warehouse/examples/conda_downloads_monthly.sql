-- conda downloads per framework and channel in the last published year
SELECT framework, data_source, sum(downloads) AS downloads FROM conda_downloads_monthly
WHERE month >= (SELECT max(month) FROM conda_downloads_monthly) - INTERVAL 11 MONTH
GROUP BY ALL ORDER BY downloads DESC;
