-- PyPI download counts: pypistats (last 180 days, accumulated), clickpy (full-history
-- backfill) and BigQuery (optional), all in one long table keyed by source, so that two sources
-- covering the same day are both kept and compared; the public views pick one per
-- (package, day, dimension).

CREATE TABLE core.pypi_downloads (
    package_key VARCHAR NOT NULL,   -- PEP 503 normalised name
    dimension   VARCHAR NOT NULL,   -- total, version, python, system, installer, country, ci
    day         DATE NOT NULL,      -- UTC calendar day; for country the first day of its month
    category    VARCHAR NOT NULL,   -- total: with_mirrors | without_mirrors; version string;
                                    -- '3.11'; 'Linux'; 'pip'; 'US'; ci | not_ci; 'unknown'
    source      VARCHAR NOT NULL,   -- pypistats, clickpy or bigquery
    downloads   BIGINT NOT NULL,
    PRIMARY KEY (package_key, dimension, day, category, source)
);

-- Every version string seen in download logs, parsed once (PEP 440), so odd ones are kept too.
CREATE TABLE core.download_versions (
    package_key        VARCHAR NOT NULL,
    version            VARCHAR NOT NULL,
    version_normalized VARCHAR,
    version_error      VARCHAR,
    is_prerelease      BOOLEAN,
    minor_series       VARCHAR,        -- 'X.Y' of the release; NULL when the version does not parse
    PRIMARY KEY (package_key, version)
);
