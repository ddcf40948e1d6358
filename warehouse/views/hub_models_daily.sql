CREATE OR REPLACE VIEW main.hub_models_daily AS
SELECT f.framework, d.library, d.snapshot_date, d.models_count, d.models_count_complete, d.top_n,
       d.top_n_models, d.top_n_downloads AS top_n_downloads_30d, d.top_n_likes,
       d.listed_downloads AS listed_downloads_30d, t.model_id AS top_model,
       t.downloads AS top_model_downloads_30d, d.fetched_at
FROM core.hf_library_daily d
JOIN core.frameworks f ON f.hf_library = d.library
LEFT JOIN core.hf_top_models_daily t
       ON t.library = d.library AND t.snapshot_date = d.snapshot_date AND t.rank = 1;

COMMENT ON VIEW main.hub_models_daily IS 'One snapshot per framework (Hugging Face library tag) per UTC day: how many models carry the tag, and the downloads of its top N models. Source: Hugging Face Hub API. Downloads are the Hub''s rolling 30-day counts and the Hub keeps no history, so the series starts with the first collect; a model can carry several library tags.';
COMMENT ON COLUMN main.hub_models_daily.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.hub_models_daily.library IS 'Hugging Face library tag (the registry''s hf_library).';
COMMENT ON COLUMN main.hub_models_daily.snapshot_date IS 'UTC day of the snapshot.';
COMMENT ON COLUMN main.hub_models_daily.models_count IS 'Models listed with the tag; a lower bound when models_count_complete is false.';
COMMENT ON COLUMN main.hub_models_daily.models_count_complete IS 'True when the listing was read to its end (DLTRENDS_HF_MAX_PAGES pages at most).';
COMMENT ON COLUMN main.hub_models_daily.top_n IS 'N, the number of most downloaded models summed (DLTRENDS_HF_TOP_N when collected).';
COMMENT ON COLUMN main.hub_models_daily.top_n_models IS 'Models in the top N (fewer than N when the library has fewer models).';
COMMENT ON COLUMN main.hub_models_daily.top_n_downloads_30d IS 'Sum of the 30-day rolling downloads of the top N models (top-N only, not the whole library).';
COMMENT ON COLUMN main.hub_models_daily.top_n_likes IS 'Sum of the likes of the top N models.';
COMMENT ON COLUMN main.hub_models_daily.listed_downloads_30d IS 'Sum of the 30-day rolling downloads of every model listed (all of them when models_count_complete).';
COMMENT ON COLUMN main.hub_models_daily.top_model IS 'The most downloaded model with the tag that day (owner/name).';
COMMENT ON COLUMN main.hub_models_daily.top_model_downloads_30d IS 'Its 30-day rolling downloads.';
COMMENT ON COLUMN main.hub_models_daily.fetched_at IS 'When the snapshot was taken (UTC).';
