CREATE OR REPLACE VIEW main.release_kinds AS
SELECT framework, package, version, version_major || '.' || version_minor AS series,
       CASE WHEN is_prerelease THEN 'pre-release'
            WHEN regexp_matches(version_normalized, '^\d+(\.0+)*$') THEN 'major'
            WHEN regexp_matches(version_normalized, '^\d+\.\d+(\.0+)*$') THEN 'minor'
            ELSE 'patch' END AS kind
FROM main.releases;

COMMENT ON VIEW main.release_kinds IS 'The kind of every release in releases (same rows, joined on package and version): major (X.0), minor (X.Y.0), patch or pre-release, as the dashboard and the report colour and count them. Source: PyPI JSON API.';
COMMENT ON COLUMN main.release_kinds.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.release_kinds.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.release_kinds.version IS 'Version string exactly as the index lists it.';
COMMENT ON COLUMN main.release_kinds.series IS 'Minor series X.Y of the version (see minor_series); NULL when the version does not parse.';
COMMENT ON COLUMN main.release_kinds.kind IS 'pre-release (PEP 440 pre- or dev-release); major (X, X.0, X.0.0); minor (X.Y, X.Y.0); patch (any other final release, including post-releases and versions that do not parse).';
