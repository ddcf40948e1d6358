-- The latest snapshot per framework: models on the Hub and the top-N's 30-day downloads
SELECT framework, snapshot_date, models_count, models_count_complete, top_n,
       top_n_downloads_30d, top_model
FROM hub_models_daily QUALIFY row_number() OVER (PARTITION BY framework
                                                 ORDER BY snapshot_date DESC) = 1;
