CREATE OR REPLACE VIEW main.downloads_by_installer AS
SELECT r.day, p.framework, p.package, r.package_key, p.role, p.counted,
       r.category AS installer,
       r.category IN ('bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi') AS mirror,
       r.downloads,
       r.downloads / sum(r.downloads) OVER (PARTITION BY r.package_key, r.day) AS share,
       r.source
FROM core.downloads_resolved r
JOIN core.packages p USING (package_key)
WHERE r.dimension = 'installer';

COMMENT ON VIEW main.downloads_by_installer IS 'PyPI downloads per package x day x installer (clickpy, bigquery; pypistats has no installer series).';
COMMENT ON COLUMN main.downloads_by_installer.day IS 'UTC calendar day.';
COMMENT ON COLUMN main.downloads_by_installer.framework IS 'Registry id of the framework the package belongs to.';
COMMENT ON COLUMN main.downloads_by_installer.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.downloads_by_installer.package_key IS 'PEP 503 normalised name.';
COMMENT ON COLUMN main.downloads_by_installer.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.downloads_by_installer.counted IS 'True for primary and variant packages.';
COMMENT ON COLUMN main.downloads_by_installer.installer IS 'Installer name (pip, uv, poetry, bandersnatch, ...); unknown when none was reported.';
COMMENT ON COLUMN main.downloads_by_installer.mirror IS 'True for mirroring tools that pypistats leaves out of without_mirrors.';
COMMENT ON COLUMN main.downloads_by_installer.downloads IS 'Downloads that day in this category.';
COMMENT ON COLUMN main.downloads_by_installer.share IS 'Share of the package''s downloads that day in this dimension (0..1); categories of a day add up to 1.';
COMMENT ON COLUMN main.downloads_by_installer.source IS 'Where the day''s numbers come from: pypistats, bigquery or clickpy (one source per package and day).';
