CREATE OR REPLACE VIEW main.downloads_by_ci AS
SELECT r.day, p.framework, p.package, r.package_key, p.role, p.counted,
       r.category AS ci,
       r.downloads,
       r.downloads / sum(r.downloads) OVER (PARTITION BY r.package_key, r.day) AS share,
       r.source
FROM core.downloads_resolved r
JOIN core.packages p USING (package_key)
WHERE r.dimension = 'ci';

COMMENT ON VIEW main.downloads_by_ci IS 'PyPI downloads per package x day by CI or not (BigQuery details.ci; only days collected with --source bigquery).';
COMMENT ON COLUMN main.downloads_by_ci.day IS 'UTC calendar day.';
COMMENT ON COLUMN main.downloads_by_ci.framework IS 'Registry id of the framework the package belongs to.';
COMMENT ON COLUMN main.downloads_by_ci.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.downloads_by_ci.package_key IS 'PEP 503 normalised name.';
COMMENT ON COLUMN main.downloads_by_ci.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.downloads_by_ci.counted IS 'True for primary and variant packages.';
COMMENT ON COLUMN main.downloads_by_ci.ci IS 'ci (the installer said it ran in CI), not_ci, or unknown (older installers do not say).';
COMMENT ON COLUMN main.downloads_by_ci.downloads IS 'Downloads that day in this category.';
COMMENT ON COLUMN main.downloads_by_ci.share IS 'Share of the package''s downloads that day in this dimension (0..1); categories of a day add up to 1.';
COMMENT ON COLUMN main.downloads_by_ci.source IS 'Where the day''s numbers come from: pypistats, bigquery or clickpy (one source per package and day).';
