-- How fresh is each source, and is it failing?
SELECT source, last_status, last_success_at, failed_of_last_5 FROM source_status;
