CREATE OR REPLACE VIEW main.downloads_by_country AS
SELECT r.day AS month, p.framework, p.package, r.package_key, p.role, p.counted,
       r.category AS country_code,
       r.downloads,
       r.downloads / sum(r.downloads) OVER (PARTITION BY r.package_key, r.day) AS share,
       r.source
FROM core.downloads_resolved r
JOIN core.packages p USING (package_key)
WHERE r.dimension = 'country';

COMMENT ON VIEW main.downloads_by_country IS 'PyPI downloads per package x month x country (complete months only; clickpy). `month` is the first day of the month.';
COMMENT ON COLUMN main.downloads_by_country.month IS 'First day of the month (UTC).';
COMMENT ON COLUMN main.downloads_by_country.framework IS 'Registry id of the framework the package belongs to.';
COMMENT ON COLUMN main.downloads_by_country.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.downloads_by_country.package_key IS 'PEP 503 normalised name.';
COMMENT ON COLUMN main.downloads_by_country.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.downloads_by_country.counted IS 'True for primary and variant packages.';
COMMENT ON COLUMN main.downloads_by_country.country_code IS 'ISO 3166 two-letter country of the download; unknown when not known.';
COMMENT ON COLUMN main.downloads_by_country.downloads IS 'Downloads that day in this category.';
COMMENT ON COLUMN main.downloads_by_country.share IS 'Share of the package''s downloads that day in this dimension (0..1); categories of a day add up to 1.';
COMMENT ON COLUMN main.downloads_by_country.source IS 'Where the day''s numbers come from: pypistats, bigquery or clickpy (one source per package and day).';
