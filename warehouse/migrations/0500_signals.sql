-- Adoption and health signals (conda, Hugging Face Hub, Stack Overflow, npm, OSV).
-- Snapshot sources (Hub, Stack Overflow) keep one row per UTC day: history accumulates from the
-- first collect on, because those APIs only report the present.

-- The registry's new list field: JavaScript builds on npm.
ALTER TABLE core.frameworks ADD COLUMN npm VARCHAR[];

-- Anaconda package data: monthly download counts of the registry's conda names.
-- '' stands for "not given" in the key columns (a key column cannot be NULL); views show NULL.
CREATE TABLE core.conda_downloads_monthly (
    month        VARCHAR NOT NULL,   -- YYYY-MM, the item key of the monthly file
    data_source  VARCHAR NOT NULL,   -- anaconda, conda-forge, bioconda
    pkg_name     VARCHAR NOT NULL,
    pkg_version  VARCHAR NOT NULL,
    pkg_platform VARCHAR NOT NULL,
    pkg_python   VARCHAR NOT NULL,
    downloads    BIGINT NOT NULL,
    removed_at   TIMESTAMPTZ,        -- set when a re-published file no longer lists the row
    PRIMARY KEY (month, data_source, pkg_name, pkg_version, pkg_platform, pkg_python)
);

-- Hugging Face Hub: one snapshot per library tag per UTC day.
CREATE TABLE core.hf_library_daily (
    library               VARCHAR NOT NULL,
    snapshot_date         DATE NOT NULL,
    fetched_at            TIMESTAMPTZ NOT NULL,
    models_count          BIGINT NOT NULL,    -- models listed (a lower bound when not complete)
    models_count_complete BOOLEAN NOT NULL,
    top_n                 INTEGER NOT NULL,   -- N asked for (DLTRENDS_HF_TOP_N)
    top_n_models          INTEGER NOT NULL,   -- models in the top N (fewer when the library is small)
    top_n_downloads       BIGINT NOT NULL,    -- sum of their 30-day rolling downloads
    top_n_likes           BIGINT NOT NULL,
    listed_downloads      BIGINT NOT NULL,    -- sum over every model listed
    PRIMARY KEY (library, snapshot_date)
);

-- The first models of each snapshot, keyed by rank so a repeated snapshot replaces its slots.
CREATE TABLE core.hf_top_models_daily (
    library       VARCHAR NOT NULL,
    snapshot_date DATE NOT NULL,
    rank          INTEGER NOT NULL,
    model_id      VARCHAR NOT NULL,
    downloads     BIGINT NOT NULL,
    likes         BIGINT,
    pipeline_tag  VARCHAR,
    library_name  VARCHAR,
    created_at    TIMESTAMPTZ,
    PRIMARY KEY (library, snapshot_date, rank)
);

-- Stack Overflow: one snapshot of each tag's question count per UTC day.
CREATE TABLE core.stackoverflow_tags_daily (
    tag               VARCHAR NOT NULL,
    snapshot_date     DATE NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    question_count    BIGINT NOT NULL,
    has_synonyms      BOOLEAN,
    is_moderator_only BOOLEAN,
    is_required       BOOLEAN,
    PRIMARY KEY (tag, snapshot_date)
);

-- npm downloads API: daily downloads per package.
CREATE TABLE core.npm_downloads_daily (
    package   VARCHAR NOT NULL,
    day       DATE NOT NULL,
    downloads BIGINT NOT NULL,
    PRIMARY KEY (package, day)
);

-- OSV: which advisories affect each (PyPI package, version), as OSV's querybatch answers.
CREATE TABLE core.osv_version_vulns (
    query_key   VARCHAR NOT NULL,    -- the item key, "<package_key>==<version>"
    package_key VARCHAR NOT NULL,
    version     VARCHAR NOT NULL,
    vuln_id     VARCHAR NOT NULL,
    modified    TIMESTAMPTZ,         -- the advisory's modified time OSV reported with the match
    removed_at  TIMESTAMPTZ,         -- set when OSV stops listing the advisory for the version
    PRIMARY KEY (package_key, version, vuln_id)
);

-- OSV advisory records (GET /v1/vulns/{id}).
CREATE TABLE core.osv_advisories (
    vuln_id          VARCHAR PRIMARY KEY,
    summary          VARCHAR,
    aliases          VARCHAR[] NOT NULL,
    published        TIMESTAMPTZ,
    modified         TIMESTAMPTZ,
    withdrawn        TIMESTAMPTZ,
    cvss_vector      VARCHAR,          -- the highest-version CVSS vector given
    cvss_score       DOUBLE,           -- its base score, computed from the vector
    severity         VARCHAR,          -- low, moderate, high, critical (or NULL when unrated)
    severity_source  VARCHAR           -- cvss or the database's own rating (database_specific)
);

-- The PyPI packages an advisory affects, with their fixed versions.
CREATE TABLE core.osv_affected (
    vuln_id        VARCHAR NOT NULL,
    package_key    VARCHAR NOT NULL,
    fixed_versions VARCHAR[] NOT NULL,
    introduced     VARCHAR[] NOT NULL,
    last_affected  VARCHAR[] NOT NULL,
    removed_at     TIMESTAMPTZ,
    PRIMARY KEY (vuln_id, package_key)
);
