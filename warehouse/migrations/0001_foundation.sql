-- The foundation: raw landing, run log, fetch state, registry and PyPI release tables.
-- Internal tables live in `raw` and `core`; users read the public views in `main`.

CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;

-- Every fetched item lands here first, with its provenance; typed tables are rebuilt from it.
CREATE TABLE raw.items (
    source            VARCHAR NOT NULL,
    stream            VARCHAR NOT NULL,
    item_key          VARCHAR NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            BIGINT,
    collector_version VARCHAR NOT NULL,
    cursor            VARCHAR,
    payload           JSON NOT NULL,
    PRIMARY KEY (source, stream, item_key, fetched_at)
);

CREATE SEQUENCE core.run_ids START 1;

CREATE TABLE core.collector_runs (
    run_id           BIGINT PRIMARY KEY,
    source           VARCHAR NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ,
    status           VARCHAR NOT NULL,   -- running, then ok / partial / failed / deferred
    items_ok         INTEGER NOT NULL DEFAULT 0,
    items_unchanged  INTEGER NOT NULL DEFAULT 0,
    items_failed     INTEGER NOT NULL DEFAULT 0,
    items_deferred   INTEGER NOT NULL DEFAULT 0,
    rows_written     BIGINT NOT NULL DEFAULT 0,
    requests         INTEGER NOT NULL DEFAULT 0,
    error            VARCHAR,
    options          VARCHAR,
    dltrends_version VARCHAR NOT NULL,
    pid              INTEGER,
    host             VARCHAR
);

CREATE TABLE core.run_item_errors (
    run_id   BIGINT NOT NULL,
    stream   VARCHAR NOT NULL,
    item_key VARCHAR NOT NULL,
    error    VARCHAR NOT NULL,
    PRIMARY KEY (run_id, stream, item_key)
);

-- HTTP validators and cursors of each item's last successful fetch.
CREATE TABLE core.fetch_state (
    source     VARCHAR NOT NULL,
    stream     VARCHAR NOT NULL,
    item_key   VARCHAR NOT NULL,
    etag       VARCHAR,
    cursor     VARCHAR,
    fetched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, stream, item_key)
);

-- The registry, as of the last command that read it.
CREATE TABLE core.frameworks (
    framework          VARCHAR PRIMARY KEY,
    name               VARCHAR NOT NULL,
    status             VARCHAR NOT NULL,
    successor          VARCHAR,
    homepage           VARCHAR,
    hf_library         VARCHAR,
    github             VARCHAR[],
    conda              VARCHAR[],
    stackoverflow_tags VARCHAR[],
    aliases            VARCHAR[],
    registry_order     INTEGER NOT NULL
);

CREATE TABLE core.framework_events (
    framework  VARCHAR NOT NULL,
    event_date DATE NOT NULL,
    kind       VARCHAR NOT NULL,
    note       VARCHAR NOT NULL,
    source     VARCHAR,
    PRIMARY KEY (framework, event_date, kind, note)
);

CREATE TABLE core.packages (
    package_key VARCHAR PRIMARY KEY,   -- PEP 503 normalised name
    package     VARCHAR NOT NULL,      -- as written in the registry
    framework   VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,
    counted     BOOLEAN NOT NULL
);

-- PyPI JSON API: one row per project, release and file.
CREATE TABLE core.pypi_projects (
    package_key     VARCHAR PRIMARY KEY,
    project_name    VARCHAR NOT NULL,   -- the index's canonical spelling (info.name)
    summary         VARCHAR,
    latest_version  VARCHAR,
    requires_python VARCHAR,
    license         VARCHAR,
    project_url     VARCHAR,
    last_serial     BIGINT
);

CREATE TABLE core.pypi_releases (
    package_key        VARCHAR NOT NULL,
    version            VARCHAR NOT NULL,
    version_normalized VARCHAR,
    version_error      VARCHAR,
    is_prerelease      BOOLEAN,
    version_major      INTEGER,
    version_minor      INTEGER,
    version_rank       INTEGER,
    released_at        TIMESTAMPTZ,
    yanked             BOOLEAN NOT NULL,
    yanked_reason      VARCHAR,
    requires_python    VARCHAR,
    file_count         INTEGER NOT NULL,
    total_bytes        BIGINT NOT NULL,
    python_versions    VARCHAR[] NOT NULL,
    platforms          VARCHAR[] NOT NULL,
    architectures      VARCHAR[] NOT NULL,
    has_sdist          BOOLEAN NOT NULL,
    removed_at         TIMESTAMPTZ,        -- set when the index stops listing the version
    PRIMARY KEY (package_key, version)
);

CREATE TABLE core.pypi_files (
    package_key     VARCHAR NOT NULL,
    filename        VARCHAR NOT NULL,
    version         VARCHAR NOT NULL,
    packagetype     VARCHAR NOT NULL,
    python_tag      VARCHAR,
    python_versions VARCHAR[] NOT NULL,
    abi_tags        VARCHAR[] NOT NULL,
    platform_tags   VARCHAR[] NOT NULL,
    platforms       VARCHAR[] NOT NULL,
    architectures   VARCHAR[] NOT NULL,
    requires_python VARCHAR,
    size_bytes      BIGINT,
    uploaded_at     TIMESTAMPTZ,
    yanked          BOOLEAN NOT NULL,
    yanked_reason   VARCHAR,
    sha256          VARCHAR,
    removed_at      TIMESTAMPTZ,
    PRIMARY KEY (package_key, filename)
);
