CREATE OR REPLACE VIEW main.framework_downloads_daily AS
WITH daily AS (
    SELECT p.framework, r.day,
           sum(r.downloads) FILTER (WHERE r.category = 'without_mirrors')::BIGINT AS downloads,
           sum(r.downloads) FILTER (WHERE r.category = 'with_mirrors')::BIGINT AS downloads_with_mirrors,
           count(DISTINCT r.package_key) AS packages,
           string_agg(DISTINCT r.source, '+' ORDER BY r.source) AS source
    FROM core.downloads_resolved r
    JOIN core.packages p USING (package_key)
    WHERE r.dimension = 'total' AND p.counted
    GROUP BY p.framework, r.day
),
smoothed AS (
    SELECT *,
           avg(downloads) OVER (PARTITION BY framework ORDER BY day
                                RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW) AS downloads_ma7,
           avg(downloads) OVER (PARTITION BY framework ORDER BY day
                                RANGE BETWEEN INTERVAL 27 DAYS PRECEDING AND CURRENT ROW) AS downloads_ma28,
           downloads / sum(downloads) OVER (PARTITION BY day) AS share
    FROM daily
),
shared AS (
    SELECT *, downloads_ma28 / sum(downloads_ma28) OVER (PARTITION BY day) AS share_28d
    FROM smoothed
)
SELECT s.framework, f.name AS framework_name, s.day, s.downloads, s.downloads_with_mirrors,
       s.packages, s.downloads_ma7, s.downloads_ma28,
       s.downloads_ma7 / nullif(w.downloads_ma7, 0) - 1 AS wow_growth,
       s.downloads_ma28 / nullif(m.downloads_ma28, 0) - 1 AS mom_growth,
       s.downloads_ma28 / nullif(y.downloads_ma28, 0) - 1 AS yoy_growth,
       s.share, s.share_28d, s.source
FROM shared s
JOIN core.frameworks f USING (framework)
LEFT JOIN smoothed w ON w.framework = s.framework AND w.day = s.day - 7
LEFT JOIN smoothed m ON m.framework = s.framework AND m.day = s.day - 28
LEFT JOIN smoothed y ON y.framework = s.framework AND y.day = s.day - 364;

COMMENT ON VIEW main.framework_downloads_daily IS 'Downloads per framework x day: the sum of its counted packages (roles primary and variant; companions, nightlies and ecosystem tools are never added), with moving averages and growth. Sources as in downloads_daily.';
COMMENT ON COLUMN main.framework_downloads_daily.framework IS 'Registry id.';
COMMENT ON COLUMN main.framework_downloads_daily.framework_name IS 'Display name.';
COMMENT ON COLUMN main.framework_downloads_daily.day IS 'UTC calendar day.';
COMMENT ON COLUMN main.framework_downloads_daily.downloads IS 'Downloads without mirrors of the counted packages that day.';
COMMENT ON COLUMN main.framework_downloads_daily.downloads_with_mirrors IS 'Every download of the counted packages that day (mirrors included); not to be added to downloads.';
COMMENT ON COLUMN main.framework_downloads_daily.packages IS 'Counted packages with data that day (fewer than the registry lists means a gap in collection, not zero downloads).';
COMMENT ON COLUMN main.framework_downloads_daily.downloads_ma7 IS 'Mean of downloads over the 7 days ending that day (days with data).';
COMMENT ON COLUMN main.framework_downloads_daily.downloads_ma28 IS 'Mean of downloads over the 28 days ending that day (days with data).';
COMMENT ON COLUMN main.framework_downloads_daily.wow_growth IS 'Week over week: downloads_ma7 against its value 7 days earlier, minus 1 (0.1 = +10 %).';
COMMENT ON COLUMN main.framework_downloads_daily.mom_growth IS 'Month over month: downloads_ma28 against its value 28 days earlier, minus 1.';
COMMENT ON COLUMN main.framework_downloads_daily.yoy_growth IS 'Year over year: downloads_ma28 against its value 364 days (52 weeks) earlier, minus 1.';
COMMENT ON COLUMN main.framework_downloads_daily.share IS 'Share of that day''s downloads among the tracked frameworks with data that day.';
COMMENT ON COLUMN main.framework_downloads_daily.share_28d IS 'Share of the trailing 28 days'' downloads (downloads_ma28) among the tracked frameworks with data that day.';
COMMENT ON COLUMN main.framework_downloads_daily.source IS 'Source(s) of the day''s package numbers, e.g. pypistats, or clickpy+pypistats when packages differ.';
