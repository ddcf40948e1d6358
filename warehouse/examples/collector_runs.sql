-- The last 10 runs, with every failed item and why
SELECT run_id, source, status, items_ok, items_failed, rows_written, error
FROM collector_runs ORDER BY run_id DESC LIMIT 10;
