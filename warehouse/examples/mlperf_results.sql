-- Share of MLPerf training submissions per framework and round
SELECT round, coalesce(framework, 'unmapped') AS framework, count(*) AS results,
       round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY round), 1) AS pct
FROM mlperf_results WHERE suite = 'training' GROUP BY 1, 2 ORDER BY 1, results DESC;
