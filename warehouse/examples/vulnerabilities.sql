-- Critical and high vulnerabilities per framework and year published (each counted once)
SELECT framework, year(published) AS year, count(DISTINCT vulnerability) AS vulnerabilities
FROM vulnerabilities WHERE severity IN ('critical', 'high') AND withdrawn IS NULL
GROUP BY ALL ORDER BY framework, year;
