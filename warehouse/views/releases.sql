CREATE OR REPLACE VIEW main.releases AS
SELECT p.framework, p.package, p.role, r.version, r.version_normalized, r.is_prerelease,
       r.released_at, r.yanked, r.requires_python, r.file_count, r.python_versions, r.platforms,
       r.architectures, r.has_sdist, r.version_major, r.version_minor, r.version_rank,
       r.yanked_reason, r.total_bytes, r.version_error
FROM core.pypi_releases r
JOIN core.packages p USING (package_key)
WHERE r.removed_at IS NULL;

COMMENT ON VIEW main.releases IS 'One row per (package, version) the PyPI index lists, for every registry package. Source: PyPI JSON API. PyPI is not the whole history for frameworks that publish builds on their own indexes (PyTorch CUDA builds, Paddle, MindSpore).';
COMMENT ON COLUMN main.releases.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.releases.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.releases.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.releases.version IS 'Version string exactly as the index lists it.';
COMMENT ON COLUMN main.releases.version_normalized IS 'PEP 440 normal form; NULL when the string does not parse.';
COMMENT ON COLUMN main.releases.is_prerelease IS 'PEP 440 pre- or dev-release; NULL when the version does not parse.';
COMMENT ON COLUMN main.releases.released_at IS 'Earliest file upload (UTC); NULL when the version has no files.';
COMMENT ON COLUMN main.releases.yanked IS 'True when every file is yanked; false when some or none are, or there are no files.';
COMMENT ON COLUMN main.releases.requires_python IS 'Requires-Python most files declare; NULL when absent or empty.';
COMMENT ON COLUMN main.releases.file_count IS 'Number of files (wheels, sdists, eggs...) uploaded for the version.';
COMMENT ON COLUMN main.releases.python_versions IS 'Python versions from wheel tags and file metadata, e.g. [''3.10'', ''3.11'']; ''3'' means any 3.x (py3 wheels); ''3.9+'' is a stable-ABI (abi3) wheel.';
COMMENT ON COLUMN main.releases.platforms IS 'Operating systems of the binary files: linux, macos, windows, any (pure Python), ios, android, other.';
COMMENT ON COLUMN main.releases.architectures IS 'CPU architectures of the binary files: x86_64, arm64 (aarch64), x86, ppc64le, s390x, ..., any.';
COMMENT ON COLUMN main.releases.has_sdist IS 'True when a source distribution was uploaded.';
COMMENT ON COLUMN main.releases.version_major IS 'PEP 440 major release number; NULL when the version does not parse.';
COMMENT ON COLUMN main.releases.version_minor IS 'PEP 440 minor release number; NULL when the version does not parse.';
COMMENT ON COLUMN main.releases.version_rank IS 'Position in PEP 440 order within the package (1 = lowest); NULL for invalid versions.';
COMMENT ON COLUMN main.releases.yanked_reason IS 'Reason given for yanking, if any file states one.';
COMMENT ON COLUMN main.releases.total_bytes IS 'Sum of the sizes of all files of the version.';
COMMENT ON COLUMN main.releases.version_error IS 'Why the version string does not parse as PEP 440; NULL when it does.';
