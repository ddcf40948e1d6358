CREATE OR REPLACE VIEW main.release_files AS
SELECT p.framework, p.package, p.role, f.version, f.filename, f.packagetype, f.python_tag,
       f.python_versions, f.abi_tags, f.platform_tags, f.platforms, f.architectures,
       f.requires_python, f.size_bytes, f.uploaded_at, f.yanked, f.yanked_reason, f.sha256
FROM core.pypi_files f
JOIN core.packages p USING (package_key)
WHERE f.removed_at IS NULL;

COMMENT ON VIEW main.release_files IS 'One row per file of every listed release: the wheel support matrix at file grain. Source: PyPI JSON API.';
COMMENT ON COLUMN main.release_files.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.release_files.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.release_files.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.release_files.version IS 'Version string as the index lists it.';
COMMENT ON COLUMN main.release_files.filename IS 'File name on the index.';
COMMENT ON COLUMN main.release_files.packagetype IS 'bdist_wheel, sdist, bdist_egg, bdist_dumb, ...';
COMMENT ON COLUMN main.release_files.python_tag IS 'The index''s python_version field (cp311, py3, source, 2.7, ...).';
COMMENT ON COLUMN main.release_files.python_versions IS 'Python versions the file installs on, as in releases.python_versions.';
COMMENT ON COLUMN main.release_files.abi_tags IS 'Wheel ABI tags (cp311, abi3, none).';
COMMENT ON COLUMN main.release_files.platform_tags IS 'Wheel platform tags (manylinux_2_17_x86_64, win_amd64, any, ...).';
COMMENT ON COLUMN main.release_files.platforms IS 'Operating systems derived from the platform tags.';
COMMENT ON COLUMN main.release_files.architectures IS 'CPU architectures derived from the platform tags.';
COMMENT ON COLUMN main.release_files.requires_python IS 'Requires-Python of the file; NULL when absent or empty.';
COMMENT ON COLUMN main.release_files.size_bytes IS 'File size in bytes.';
COMMENT ON COLUMN main.release_files.uploaded_at IS 'Upload time (UTC).';
COMMENT ON COLUMN main.release_files.yanked IS 'True when the file is yanked.';
COMMENT ON COLUMN main.release_files.yanked_reason IS 'Reason given for yanking.';
COMMENT ON COLUMN main.release_files.sha256 IS 'SHA-256 digest of the file.';
