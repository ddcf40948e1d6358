-- Health facts: release age, cadence and close-time trends, bus factor, vulnerabilities
SELECT framework, status, days_since_release, round(cadence_ratio, 2) AS cadence_ratio,
       round(close_time_ratio, 2) AS close_time_ratio, bus_factor, open_vulnerabilities
FROM framework_health ORDER BY days_since_release;
