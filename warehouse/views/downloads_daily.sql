CREATE OR REPLACE VIEW main.downloads_daily AS
SELECT r.day, p.framework, p.package, r.package_key, p.role, p.counted, r.category, r.downloads,
       r.source
FROM core.downloads_resolved r
JOIN core.packages p USING (package_key)
WHERE r.dimension = 'total';

COMMENT ON VIEW main.downloads_daily IS 'PyPI downloads per package x day x category (with_mirrors, without_mirrors), every tracked package whatever its role. One source per (package, day), named in `source`: pypistats where it has the day, else bigquery, else clickpy. without_mirrors is a subset of with_mirrors: never add the two.';
COMMENT ON COLUMN main.downloads_daily.day IS 'UTC calendar day.';
COMMENT ON COLUMN main.downloads_daily.framework IS 'Registry id of the framework the package belongs to.';
COMMENT ON COLUMN main.downloads_daily.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.downloads_daily.package_key IS 'PEP 503 normalised name.';
COMMENT ON COLUMN main.downloads_daily.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.downloads_daily.counted IS 'True for primary and variant packages, the ones framework totals add up.';
COMMENT ON COLUMN main.downloads_daily.category IS 'without_mirrors (pypistats'' default: known mirror tools and downloads with no installer left out) or with_mirrors (every download).';
COMMENT ON COLUMN main.downloads_daily.downloads IS 'Downloads that day.';
COMMENT ON COLUMN main.downloads_daily.source IS 'Where the number comes from: pypistats, bigquery or clickpy.';
