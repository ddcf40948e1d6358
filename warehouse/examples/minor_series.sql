-- When did each minor series of PyTorch start, and how long after the one before?
SELECT series, first_version, first_released_at, days_since_previous_series
FROM minor_series WHERE package = 'torch' ORDER BY first_released_at;
