-- Monthly downloads of the JavaScript builds
SELECT package, date_trunc('month', day) AS month, sum(downloads) AS downloads
FROM npm_downloads_daily GROUP BY ALL ORDER BY package, month;
