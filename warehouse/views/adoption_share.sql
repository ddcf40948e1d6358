CREATE OR REPLACE VIEW main.adoption_share AS
SELECT framework, framework_name, day, downloads, downloads_ma28,
       share_28d,
       share AS share_day,
       rank() OVER (PARTITION BY day ORDER BY downloads_ma28 DESC) AS rank,
       count(*) OVER (PARTITION BY day) AS frameworks_reporting,
       source
FROM main.framework_downloads_daily
WHERE downloads IS NOT NULL;

COMMENT ON VIEW main.adoption_share IS 'Share of the tracked ecosystem per framework x day: each framework''s downloads (counted packages, without mirrors) against all tracked frameworks'', over the trailing 28 days and that day alone.';
COMMENT ON COLUMN main.adoption_share.framework IS 'Registry id.';
COMMENT ON COLUMN main.adoption_share.framework_name IS 'Display name.';
COMMENT ON COLUMN main.adoption_share.day IS 'UTC calendar day.';
COMMENT ON COLUMN main.adoption_share.downloads IS 'Downloads that day (without mirrors, counted packages).';
COMMENT ON COLUMN main.adoption_share.downloads_ma28 IS 'Mean daily downloads over the 28 days ending that day.';
COMMENT ON COLUMN main.adoption_share.share_28d IS 'Share of the trailing 28-day downloads of all frameworks reporting that day (0..1).';
COMMENT ON COLUMN main.adoption_share.share_day IS 'Share of that day''s downloads (0..1).';
COMMENT ON COLUMN main.adoption_share.rank IS 'Rank by trailing 28-day downloads that day (1 = most).';
COMMENT ON COLUMN main.adoption_share.frameworks_reporting IS 'Frameworks with data that day; shares compare only these.';
COMMENT ON COLUMN main.adoption_share.source IS 'Source(s) of the framework''s numbers that day.';
