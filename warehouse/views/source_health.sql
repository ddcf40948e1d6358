CREATE OR REPLACE VIEW main.source_health AS
WITH runs AS (
    SELECT source, run_id, started_at, finished_at, status, error,
           row_number() OVER (PARTITION BY source ORDER BY run_id DESC) AS recency
    FROM core.collector_runs
    WHERE status <> 'running'
),
streaks AS (
    SELECT source,
           coalesce(min(recency) FILTER (WHERE status <> 'failed') - 1, count(*)) AS failed_in_a_row
    FROM runs
    GROUP BY source
),
summary AS (
    SELECT r.source,
           min(r.started_at) AS first_run_at,
           max(r.started_at) AS last_run_at,
           any_value(r.status) FILTER (WHERE r.recency = 1) AS last_status,
           any_value(r.error) FILTER (WHERE r.recency = 1) AS last_error,
           max(r.finished_at) FILTER (WHERE r.status IN ('ok', 'partial')) AS last_success_at,
           any_value(s.failed_in_a_row) AS failed_in_a_row,
           min(r.run_id) FILTER (WHERE r.recency <= s.failed_in_a_row) AS failing_since_run
    FROM runs r JOIN streaks s USING (source)
    GROUP BY r.source
),
judged AS (
    SELECT source, e.title, e.schedule, to_seconds(e.fresh_within_s) AS expected_freshness,
           m.last_run_at, m.last_status, m.last_success_at, greatest(now() - m.last_success_at, INTERVAL 0 SECOND) AS data_age,
           coalesce(m.failed_in_a_row, 0) AS failed_in_a_row, m.failing_since_run, m.last_error,
           CASE WHEN e.source IS NULL OR m.first_run_at IS NULL THEN NULL
                ELSE now() - coalesce(m.last_success_at, m.first_run_at)
                     > to_seconds(e.fresh_within_s) END AS is_stale,
           coalesce(m.failed_in_a_row, 0) >= coalesce(e.failing_runs, 3) AS is_failing
    FROM core.source_expectations e
    FULL OUTER JOIN summary m USING (source)
)
SELECT *,
       CASE WHEN last_run_at IS NULL THEN 'never'
            WHEN is_failing THEN 'failing'
            WHEN is_stale THEN 'stale'
            ELSE 'ok' END AS state
FROM judged;

COMMENT ON VIEW main.source_health IS 'One row per source (declared in dltrends or seen in the run log): how fresh its data should be, how fresh it is, and whether it is stale or failing. Source: the run log and the source declarations written at each collect.';
COMMENT ON COLUMN main.source_health.source IS 'Source name as in dltrends collect --source.';
COMMENT ON COLUMN main.source_health.title IS 'What the source is (PyPI JSON API, ...); NULL for a source no longer declared.';
COMMENT ON COLUMN main.source_health.schedule IS 'Cron expression (UTC) of dltrends schedule for this source; NULL when not scheduled.';
COMMENT ON COLUMN main.source_health.expected_freshness IS 'How old the data may get before the source counts as stale (declared per source).';
COMMENT ON COLUMN main.source_health.last_run_at IS 'Start of the latest finished run (UTC).';
COMMENT ON COLUMN main.source_health.last_status IS 'Status of the latest finished run: ok, partial, failed or deferred.';
COMMENT ON COLUMN main.source_health.last_success_at IS 'End of the latest run that saved data (ok or partial), UTC.';
COMMENT ON COLUMN main.source_health.data_age IS 'Time since last_success_at, as of the query (never negative: a clock behind the collector reads 0).';
COMMENT ON COLUMN main.source_health.failed_in_a_row IS 'Latest runs that failed outright, counted back to the last run that did not.';
COMMENT ON COLUMN main.source_health.failing_since_run IS 'run_id of the first failed run of that streak; NULL when the latest run did not fail.';
COMMENT ON COLUMN main.source_health.last_error IS 'Error text of the latest run (each failed item and why).';
COMMENT ON COLUMN main.source_health.is_stale IS 'True when the data is older than expected_freshness (or, never collected successfully, the first run is); NULL before any run and for an undeclared source.';
COMMENT ON COLUMN main.source_health.is_failing IS 'True when the last N runs all failed (N = DLTRENDS_FAILING_RUNS, default 3).';
COMMENT ON COLUMN main.source_health.state IS 'never (no run yet), failing, stale or ok, in that order of precedence.';
