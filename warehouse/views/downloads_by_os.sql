CREATE OR REPLACE VIEW main.downloads_by_os AS
SELECT r.day, p.framework, p.package, r.package_key, p.role, p.counted,
       CASE lower(r.category) WHEN 'linux' THEN 'linux' WHEN 'darwin' THEN 'macos'
            WHEN 'windows' THEN 'windows' WHEN 'unknown' THEN 'unknown' ELSE 'other' END AS os,
       r.category AS system,
       r.downloads,
       r.downloads / sum(r.downloads) OVER (PARTITION BY r.package_key, r.day) AS share,
       r.source
FROM core.downloads_resolved r
JOIN core.packages p USING (package_key)
WHERE r.dimension = 'system';

COMMENT ON VIEW main.downloads_by_os IS 'PyPI downloads per package x day x operating system (as pip reports it).';
COMMENT ON COLUMN main.downloads_by_os.day IS 'UTC calendar day.';
COMMENT ON COLUMN main.downloads_by_os.framework IS 'Registry id of the framework the package belongs to.';
COMMENT ON COLUMN main.downloads_by_os.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.downloads_by_os.package_key IS 'PEP 503 normalised name.';
COMMENT ON COLUMN main.downloads_by_os.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.downloads_by_os.counted IS 'True for primary and variant packages.';
COMMENT ON COLUMN main.downloads_by_os.os IS 'linux, macos, windows, other or unknown.';
COMMENT ON COLUMN main.downloads_by_os.system IS 'The operating system name as the source reports it (Linux, Darwin, Windows, FreeBSD, other, ...).';
COMMENT ON COLUMN main.downloads_by_os.downloads IS 'Downloads that day in this category.';
COMMENT ON COLUMN main.downloads_by_os.share IS 'Share of the package''s downloads that day in this dimension (0..1); categories of a day add up to 1.';
COMMENT ON COLUMN main.downloads_by_os.source IS 'Where the day''s numbers come from: pypistats, bigquery or clickpy (one source per package and day).';
