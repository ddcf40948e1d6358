CREATE OR REPLACE VIEW main.downloads_by_version AS
SELECT r.day, p.framework, p.package, r.package_key, p.role, p.counted,
       r.category AS version, v.version_normalized, v.version_error, v.is_prerelease,
       v.minor_series, rel.released_at,
       r.downloads,
       r.downloads / sum(r.downloads) OVER (PARTITION BY r.package_key, r.day) AS share,
       r.source
FROM core.downloads_resolved r
JOIN core.packages p USING (package_key)
LEFT JOIN core.download_versions v ON v.package_key = r.package_key AND v.version = r.category
LEFT JOIN core.pypi_releases rel ON rel.package_key = r.package_key AND rel.version = r.category
WHERE r.dimension = 'version';

COMMENT ON VIEW main.downloads_by_version IS 'PyPI downloads per package x day x version (clickpy, bigquery; pypistats has no version series), with each version''s share of the package''s downloads that day.';
COMMENT ON COLUMN main.downloads_by_version.day IS 'UTC calendar day.';
COMMENT ON COLUMN main.downloads_by_version.framework IS 'Registry id of the framework the package belongs to.';
COMMENT ON COLUMN main.downloads_by_version.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.downloads_by_version.package_key IS 'PEP 503 normalised name.';
COMMENT ON COLUMN main.downloads_by_version.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.downloads_by_version.counted IS 'True for primary and variant packages.';
COMMENT ON COLUMN main.downloads_by_version.version IS 'Version string as the download logs have it (the file''s version).';
COMMENT ON COLUMN main.downloads_by_version.version_normalized IS 'PEP 440 normal form; NULL when the string does not parse.';
COMMENT ON COLUMN main.downloads_by_version.version_error IS 'Why the version does not parse as PEP 440; NULL when it does.';
COMMENT ON COLUMN main.downloads_by_version.is_prerelease IS 'PEP 440 pre- or dev-release; NULL when the version does not parse.';
COMMENT ON COLUMN main.downloads_by_version.minor_series IS 'X.Y release series of the version; NULL when it does not parse.';
COMMENT ON COLUMN main.downloads_by_version.released_at IS 'First upload of the version on PyPI (releases view); NULL until `dltrends collect --source pypi` has seen it.';
COMMENT ON COLUMN main.downloads_by_version.downloads IS 'Downloads of the version that day.';
COMMENT ON COLUMN main.downloads_by_version.share IS 'Share of the package''s downloads that day (0..1).';
COMMENT ON COLUMN main.downloads_by_version.source IS 'Where the day''s numbers come from: bigquery or clickpy.';
