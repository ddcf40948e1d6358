CREATE OR REPLACE VIEW main.conda_downloads_monthly AS
SELECT f.framework, c.pkg_name AS package, CAST(c.month || '-01' AS DATE) AS month, c.data_source,
       nullif(c.pkg_version, '') AS version, nullif(c.pkg_platform, '') AS platform,
       nullif(c.pkg_python, '') AS python, c.downloads
FROM core.conda_downloads_monthly c
JOIN (SELECT framework, unnest(conda) AS pkg_name FROM core.frameworks) f USING (pkg_name)
WHERE c.removed_at IS NULL;

COMMENT ON VIEW main.conda_downloads_monthly IS 'conda downloads per month x data source x package x version x platform x Python, for the registry''s conda names. Source: Anaconda public package data (monthly Parquet files; defaults, conda-forge and bioconda channels only, not vendor channels such as pytorch or nvidia).';
COMMENT ON COLUMN main.conda_downloads_monthly.framework IS 'Registry id of the framework whose conda list names the package.';
COMMENT ON COLUMN main.conda_downloads_monthly.package IS 'conda package name.';
COMMENT ON COLUMN main.conda_downloads_monthly.month IS 'First day of the month the downloads happened in (UTC).';
COMMENT ON COLUMN main.conda_downloads_monthly.data_source IS 'anaconda (the default channels), conda-forge or bioconda.';
COMMENT ON COLUMN main.conda_downloads_monthly.version IS 'Package version downloaded; NULL when the file gives none.';
COMMENT ON COLUMN main.conda_downloads_monthly.platform IS 'conda platform (linux-64, osx-arm64, win-64, noarch, ...); NULL when not given.';
COMMENT ON COLUMN main.conda_downloads_monthly.python IS 'Python version the build requires, as the file writes it; NULL for builds without one.';
COMMENT ON COLUMN main.conda_downloads_monthly.downloads IS 'Downloads of this combination in the month.';
