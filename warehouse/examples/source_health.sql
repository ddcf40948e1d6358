-- What needs attention: stale or failing sources
SELECT source, state, data_age, expected_freshness, failed_in_a_row, last_error
FROM source_health WHERE state IN ('stale', 'failing') ORDER BY source;
