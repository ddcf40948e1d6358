CREATE OR REPLACE VIEW main.collector_runs AS
SELECT run_id, source, started_at, finished_at, status, items_ok, items_failed, rows_written,
       error, items_unchanged, items_deferred, requests,
       date_diff('millisecond', started_at, finished_at) / 1000.0 AS duration_s,
       dltrends_version, options
FROM core.collector_runs;

COMMENT ON VIEW main.collector_runs IS 'The run log: one row per source per collect, newest run_id last.';
COMMENT ON COLUMN main.collector_runs.run_id IS 'Increasing run number.';
COMMENT ON COLUMN main.collector_runs.source IS 'Source name as in dltrends collect --source (pypi, ...).';
COMMENT ON COLUMN main.collector_runs.started_at IS 'Start (UTC).';
COMMENT ON COLUMN main.collector_runs.finished_at IS 'End (UTC); NULL while running.';
COMMENT ON COLUMN main.collector_runs.status IS 'ok, partial (some items failed), failed (nothing succeeded, or the source broke), deferred (work postponed, e.g. rate limit), running.';
COMMENT ON COLUMN main.collector_runs.items_ok IS 'Items fetched with new data and saved.';
COMMENT ON COLUMN main.collector_runs.items_failed IS 'Items that failed; error names each one.';
COMMENT ON COLUMN main.collector_runs.rows_written IS 'Typed rows inserted, changed or marked removed.';
COMMENT ON COLUMN main.collector_runs.error IS 'Why items failed, each cause once with the items it hit ("a, b: why"), separated by "; " (or what broke the source).';
COMMENT ON COLUMN main.collector_runs.items_unchanged IS 'Items the source reported unchanged (304, same serial): no parsing, no writes.';
COMMENT ON COLUMN main.collector_runs.items_deferred IS 'Items postponed to a later run.';
COMMENT ON COLUMN main.collector_runs.requests IS 'HTTP requests sent, retries included.';
COMMENT ON COLUMN main.collector_runs.duration_s IS 'Seconds from start to end.';
COMMENT ON COLUMN main.collector_runs.dltrends_version IS 'dltrends version that ran.';
COMMENT ON COLUMN main.collector_runs.options IS 'Command-line selection (sources, frameworks, flags).';
