CREATE OR REPLACE VIEW main.minor_series AS
WITH finals AS (  -- final releases with a date and a parsed version; all-yanked ones never count
    SELECT p.framework, p.package, p.package_key, p.role, r.version, r.version_rank,
           r.version_major, r.version_minor, r.released_at
    FROM core.pypi_releases r
    JOIN core.packages p USING (package_key)
    WHERE r.removed_at IS NULL AND NOT coalesce(r.is_prerelease, true) AND NOT r.yanked
      AND r.released_at IS NOT NULL AND r.version_major IS NOT NULL
),
series AS (
    SELECT framework, package, package_key, role, version_major, version_minor,
           min(released_at) AS first_released_at,
           arg_min(version, (released_at, version_rank)) AS first_version,
           arg_max(version, version_rank) AS latest_version,
           count(*) AS final_releases
    FROM finals GROUP BY ALL
)
SELECT framework, package, package_key, role, version_major || '.' || version_minor AS series,
       version_major, version_minor, first_version, first_released_at, latest_version,
       final_releases,
       date_diff('day', lag(first_released_at) OVER (PARTITION BY package_key ORDER BY first_released_at),
                 first_released_at) AS days_since_previous_series
FROM series;

COMMENT ON VIEW main.minor_series IS 'One row per minor series (X.Y) of each registry package with a final release: its first final release and the days since the series before it. The one definition of "first release of a series" that the health facts, cadence, adoption lag and release markers read: a final (not pre- or dev-) release with files, whose files are not all yanked. Source: PyPI JSON API.';
COMMENT ON COLUMN main.minor_series.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.minor_series.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.minor_series.package_key IS 'PEP 503 normalised name (lower case, runs of -_. as -).';
COMMENT ON COLUMN main.minor_series.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.minor_series.series IS 'The series as X.Y (2.15), from the PEP 440 release numbers.';
COMMENT ON COLUMN main.minor_series.version_major IS 'PEP 440 major release number (X).';
COMMENT ON COLUMN main.minor_series.version_minor IS 'PEP 440 minor release number (Y).';
COMMENT ON COLUMN main.minor_series.first_version IS 'The first final release of the series (earliest upload): a release whose files are all yanked is never the first.';
COMMENT ON COLUMN main.minor_series.first_released_at IS 'Earliest file upload of first_version (UTC).';
COMMENT ON COLUMN main.minor_series.latest_version IS 'Highest final, not yanked version of the series in PEP 440 order.';
COMMENT ON COLUMN main.minor_series.final_releases IS 'Final, not yanked releases of the series.';
COMMENT ON COLUMN main.minor_series.days_since_previous_series IS 'Days from the first release of the package''s previous series (by first release date) to this one''s; NULL for its first series.';
