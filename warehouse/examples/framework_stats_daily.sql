-- Stars gained per framework over the last 30 days
SELECT framework, max(stars) - min(stars) AS stars_gained FROM framework_stats_daily
WHERE day >= current_date - 30 GROUP BY framework ORDER BY stars_gained DESC;
