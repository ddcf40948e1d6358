-- Steps beyond the measured noise between consecutive versions, worst first
SELECT framework, case_key, mode, from_version, to_version, round(100 * change, 1) AS pct
FROM benchmark_regressions WHERE kind = 'regression' ORDER BY change DESC;
