-- Speed relative to the NumPy reference, per case, on one machine and run
WITH ref AS (SELECT run_id, case_key, median AS numpy_s FROM benchmark_results
             WHERE framework = 'numpy' AND status = 'ok')
SELECT b.framework, b.version, b.case_key, b.mode, b.median, b.cv,
       ref.numpy_s / b.median AS speedup
FROM benchmark_results b JOIN ref USING (run_id, case_key)
WHERE b.status = 'ok' ORDER BY b.case_key, speedup DESC;
