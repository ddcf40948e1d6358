CREATE OR REPLACE VIEW main.source_status AS
WITH ranked AS (
    SELECT *, row_number() OVER (PARTITION BY source ORDER BY run_id DESC) AS recency
    FROM core.collector_runs
)
SELECT source,
       max(started_at) FILTER (WHERE recency = 1) AS last_run_at,
       any_value(status) FILTER (WHERE recency = 1) AS last_status,
       any_value(items_failed) FILTER (WHERE recency = 1) AS last_items_failed,
       max(finished_at) FILTER (WHERE status IN ('ok', 'partial')) AS last_success_at,
       count(*) FILTER (WHERE recency <= 5 AND status = 'failed') AS failed_of_last_5,
       count(*) AS runs
FROM ranked
GROUP BY source;

COMMENT ON VIEW main.source_status IS 'Freshness per source: its last run and its last successful run.';
COMMENT ON COLUMN main.source_status.source IS 'Source name.';
COMMENT ON COLUMN main.source_status.last_run_at IS 'Start of the latest run (UTC).';
COMMENT ON COLUMN main.source_status.last_status IS 'Status of the latest run.';
COMMENT ON COLUMN main.source_status.last_items_failed IS 'Items that failed in the latest run.';
COMMENT ON COLUMN main.source_status.last_success_at IS 'End of the latest run that saved data (ok or partial), UTC: the data is this fresh.';
COMMENT ON COLUMN main.source_status.failed_of_last_5 IS 'How many of the last five runs failed outright.';
COMMENT ON COLUMN main.source_status.runs IS 'Runs recorded.';
