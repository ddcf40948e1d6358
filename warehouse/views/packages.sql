CREATE OR REPLACE VIEW main.packages AS
SELECT p.package, p.package_key, p.framework, p.role, p.counted,
       pp.project_name, pp.summary, pp.latest_version, pp.requires_python, pp.license,
       pp.last_serial, fs.fetched_at
FROM core.packages p
LEFT JOIN core.pypi_projects pp USING (package_key)
LEFT JOIN core.fetch_state fs
       ON fs.source = 'pypi' AND fs.stream = 'projects' AND fs.item_key = p.package_key;

COMMENT ON VIEW main.packages IS 'One row per PyPI package in the registry, with its framework, role and what the index last said about it.';
COMMENT ON COLUMN main.packages.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.packages.package_key IS 'PEP 503 normalised name (lower case, runs of -_. as -).';
COMMENT ON COLUMN main.packages.framework IS 'Registry id of the framework the package belongs to.';
COMMENT ON COLUMN main.packages.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.packages.counted IS 'True for primary and variant packages: the ones added into framework totals.';
COMMENT ON COLUMN main.packages.project_name IS 'Canonical spelling on the index (info.name); NULL until collected.';
COMMENT ON COLUMN main.packages.summary IS 'One-line summary on the index.';
COMMENT ON COLUMN main.packages.latest_version IS 'The version the index calls latest (info.version).';
COMMENT ON COLUMN main.packages.requires_python IS 'Requires-Python of the latest version; NULL when unspecified.';
COMMENT ON COLUMN main.packages.license IS 'Licence expression or short licence name of the latest version.';
COMMENT ON COLUMN main.packages.last_serial IS 'PyPI last_serial of the last fetch that changed anything.';
COMMENT ON COLUMN main.packages.fetched_at IS 'Last fetch that brought new data (UTC); unchanged answers do not move it.';
