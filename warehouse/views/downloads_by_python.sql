CREATE OR REPLACE VIEW main.downloads_by_python AS
SELECT r.day, p.framework, p.package, r.package_key, p.role, p.counted,
       r.category AS python_version,
       r.downloads,
       r.downloads / sum(r.downloads) OVER (PARTITION BY r.package_key, r.day) AS share,
       r.source
FROM core.downloads_resolved r
JOIN core.packages p USING (package_key)
WHERE r.dimension = 'python';

COMMENT ON VIEW main.downloads_by_python IS 'PyPI downloads per package x day x Python version. pypistats counts leave mirrors out; clickpy and bigquery counts include them. Use share to compare over time ("can this framework drop Python 3.9?").';
COMMENT ON COLUMN main.downloads_by_python.day IS 'UTC calendar day.';
COMMENT ON COLUMN main.downloads_by_python.framework IS 'Registry id of the framework the package belongs to.';
COMMENT ON COLUMN main.downloads_by_python.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.downloads_by_python.package_key IS 'PEP 503 normalised name.';
COMMENT ON COLUMN main.downloads_by_python.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.downloads_by_python.counted IS 'True for primary and variant packages.';
COMMENT ON COLUMN main.downloads_by_python.python_version IS 'Python minor version (3.11, 2.7, ...) as the installer reported it; unknown when it did not.';
COMMENT ON COLUMN main.downloads_by_python.downloads IS 'Downloads that day in this category.';
COMMENT ON COLUMN main.downloads_by_python.share IS 'Share of the package''s downloads that day in this dimension (0..1); categories of a day add up to 1.';
COMMENT ON COLUMN main.downloads_by_python.source IS 'Where the day''s numbers come from: pypistats, bigquery or clickpy (one source per package and day).';
