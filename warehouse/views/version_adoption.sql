CREATE OR REPLACE VIEW main.version_adoption AS
WITH labelled AS (
    SELECT r.package_key, 'release' AS level, r.category AS version, r.day, r.downloads, r.source
    FROM core.downloads_resolved r WHERE r.dimension = 'version'
    UNION ALL
    SELECT r.package_key, 'minor' AS level, v.minor_series AS version, r.day, sum(r.downloads),
           min(r.source)
    FROM core.downloads_resolved r
    JOIN core.download_versions v ON v.package_key = r.package_key AND v.version = r.category
    WHERE r.dimension = 'version' AND v.minor_series IS NOT NULL
    GROUP BY ALL
),
package_days AS (
    SELECT package_key, day,
           sum(sum(downloads)) OVER (PARTITION BY package_key ORDER BY day
               RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW) AS package_7d
    FROM core.downloads_resolved WHERE dimension = 'version'
    GROUP BY package_key, day
),
shares AS (
    SELECT l.*, sum(l.downloads) OVER (PARTITION BY l.package_key, l.level, l.version ORDER BY l.day
               RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW) / pd.package_7d AS share_7d
    FROM labelled l JOIN package_days pd USING (package_key, day)
),
released AS (
    SELECT package_key, 'release' AS level, version, min(released_at)::DATE AS released_on,
           any_value(is_prerelease) AS is_prerelease
    FROM core.pypi_releases GROUP BY ALL
    UNION ALL
    SELECT package_key, 'minor' AS level, series, first_released_at::DATE, false
    FROM main.minor_series
),
summary AS (
    SELECT package_key, level, version, min(day) AS first_day, max(share_7d) AS peak_share,
           arg_max(day, share_7d) AS peak_day, arg_max(share_7d, day) AS latest_share,
           max(day) AS latest_day,
           min(day) FILTER (WHERE share_7d >= 0.25) AS reached_25_on,
           min(day) FILTER (WHERE share_7d >= 0.5) AS reached_50_on,
           string_agg(DISTINCT source, '+' ORDER BY source) AS source
    FROM shares GROUP BY ALL
)
SELECT p.framework, p.package, s.package_key, s.level, s.version,
       CASE WHEN s.level = 'minor' THEN false
            ELSE coalesce(rel.is_prerelease, dv.is_prerelease) END AS is_prerelease,
       rel.released_on, s.first_day,
       s.first_day <= coalesce(rel.released_on, s.first_day) + 7 AS covers_release,
       s.peak_share, s.peak_day, s.latest_share, s.latest_day,
       s.reached_25_on,
       CASE WHEN s.first_day <= coalesce(rel.released_on, s.first_day) + 7
            THEN date_diff('day', coalesce(rel.released_on, s.first_day), s.reached_25_on) END AS days_to_25,
       s.reached_50_on,
       CASE WHEN s.first_day <= coalesce(rel.released_on, s.first_day) + 7
            THEN date_diff('day', coalesce(rel.released_on, s.first_day), s.reached_50_on) END AS days_to_50,
       s.source
FROM summary s
JOIN core.packages p USING (package_key)
LEFT JOIN released rel USING (package_key, level, version)
LEFT JOIN core.download_versions dv ON s.level = 'release' AND dv.package_key = s.package_key
     AND dv.version = s.version;

COMMENT ON VIEW main.version_adoption IS 'Adoption of each release and each minor series (X.Y) of a package: its share of the package''s downloads over the trailing 7 days, its peak, and the adoption lag, the days from release until it carries 25 % and 50 % of the downloads. Needs version downloads (clickpy or bigquery) and, for release dates, the PyPI releases.';
COMMENT ON COLUMN main.version_adoption.framework IS 'Registry id of the framework the package belongs to.';
COMMENT ON COLUMN main.version_adoption.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.version_adoption.package_key IS 'PEP 503 normalised name.';
COMMENT ON COLUMN main.version_adoption.level IS 'release (one version string) or minor (every version of an X.Y series together).';
COMMENT ON COLUMN main.version_adoption.version IS 'The version string, or X.Y for a minor series.';
COMMENT ON COLUMN main.version_adoption.is_prerelease IS 'PEP 440 pre- or dev-release (false for minor series).';
COMMENT ON COLUMN main.version_adoption.released_on IS 'Day of the first upload to PyPI (minor: of its first final release); NULL until the PyPI releases are collected.';
COMMENT ON COLUMN main.version_adoption.first_day IS 'First day with downloads in the warehouse.';
COMMENT ON COLUMN main.version_adoption.covers_release IS 'True when the download data starts within 7 days of the release (or the release date is unknown), so the lag is measured; false when the data begins later.';
COMMENT ON COLUMN main.version_adoption.peak_share IS 'Highest trailing 7-day share of the package''s downloads (0..1).';
COMMENT ON COLUMN main.version_adoption.peak_day IS 'Day of the peak share.';
COMMENT ON COLUMN main.version_adoption.latest_share IS 'Trailing 7-day share on the latest day with downloads.';
COMMENT ON COLUMN main.version_adoption.latest_day IS 'Latest day with downloads.';
COMMENT ON COLUMN main.version_adoption.reached_25_on IS 'First day its trailing 7-day share reached 25 %; NULL if never.';
COMMENT ON COLUMN main.version_adoption.days_to_25 IS 'Adoption lag: days from released_on (else first_day) to reached_25_on; NULL if never reached or the data does not cover the release.';
COMMENT ON COLUMN main.version_adoption.reached_50_on IS 'First day its trailing 7-day share reached 50 %; NULL if never.';
COMMENT ON COLUMN main.version_adoption.days_to_50 IS 'Days from released_on (else first_day) to reached_50_on; NULL if never reached or not covered.';
COMMENT ON COLUMN main.version_adoption.source IS 'Source(s) of the version downloads.';
