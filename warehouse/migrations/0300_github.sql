-- GitHub activity: repo snapshots, releases and their notes, tags, community history,
-- star history and the API budget. Rows of every table are rebuilt from raw.items payloads alone.
-- `repo_key` is the repo as the registry names it (owner/name, lower case); `repo_id` GitHub's
-- numeric id, which survives renames. Views resolve one to the other (main._github_repos).

-- Source github, stream repos: one row per repo per UTC day with the values fetched that day.
CREATE TABLE core.github_repo_snapshots (
    repo_id          BIGINT NOT NULL,
    snapshot_date    DATE NOT NULL,
    repo_key         VARCHAR NOT NULL,
    full_name        VARCHAR NOT NULL,
    stars            BIGINT,
    forks            BIGINT,
    watchers         BIGINT,          -- subscribers_count (REST), watchers.totalCount (GraphQL)
    open_issues      BIGINT,          -- issues only
    open_prs         BIGINT,
    archived         BOOLEAN,
    disabled         BOOLEAN,
    pushed_at        TIMESTAMPTZ,
    created_at       TIMESTAMPTZ,
    default_branch   VARCHAR,
    license          VARCHAR,
    topics           VARCHAR[],
    size_kb          BIGINT,
    via              VARCHAR NOT NULL, -- rest or graphql
    fetched_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repo_id, snapshot_date)
);

-- Every day a repo was looked at: fetched, or answered 304 (its values are the last fetched ones).
CREATE TABLE core.github_repo_observations (
    repo_id      BIGINT NOT NULL,
    observed_on  DATE NOT NULL,
    repo_key     VARCHAR NOT NULL,
    method       VARCHAR NOT NULL,    -- fetched or not_modified
    observed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repo_id, observed_on)
);

-- Source github, stream releases: published releases (drafts excluded).
CREATE TABLE core.github_releases (
    release_id         BIGINT PRIMARY KEY,
    repo_key           VARCHAR NOT NULL,
    tag_name           VARCHAR NOT NULL,
    name               VARCHAR,
    published_at       TIMESTAMPTZ,
    created_at         TIMESTAMPTZ,
    is_prerelease      BOOLEAN NOT NULL,
    author             VARCHAR,
    body               VARCHAR,
    url                VARCHAR,
    version            VARCHAR,       -- the version the tag names (v2.3.0 -> 2.3.0), PEP 440 normal form
    version_prefix     VARCHAR,       -- a package name the tag starts with (jaxlib-v0.4.30 -> jaxlib)
    version_error      VARCHAR,
    asset_downloads    BIGINT,
    removed_at         TIMESTAMPTZ
);

-- Tags with their commit dates, for repos that publish no releases.
CREATE TABLE core.github_tags (
    repo_key      VARCHAR NOT NULL,
    tag_name      VARCHAR NOT NULL,
    sha           VARCHAR,
    committed_at  TIMESTAMPTZ,
    tagged_at     TIMESTAMPTZ,
    version       VARCHAR,
    version_prefix VARCHAR,
    version_error VARCHAR,
    removed_at    TIMESTAMPTZ,
    PRIMARY KEY (repo_key, tag_name)
);

-- Release notes parsed into items (the body stays in github_releases).
CREATE TABLE core.github_release_notes (
    release_id  BIGINT NOT NULL,
    item_no     INTEGER NOT NULL,
    repo_key    VARCHAR NOT NULL,
    section     VARCHAR,
    category    VARCHAR NOT NULL,
    text        VARCHAR NOT NULL,
    removed_at  TIMESTAMPTZ,
    PRIMARY KEY (release_id, item_no)
);

-- The API budget as the last run of each GitHub source left it.
CREATE TABLE core.github_rate_limits (
    resource      VARCHAR PRIMARY KEY,
    limit_per_window BIGINT NOT NULL,
    remaining     BIGINT NOT NULL,
    used          BIGINT,
    reset_at      TIMESTAMPTZ NOT NULL,
    authenticated BOOLEAN NOT NULL,
    observed_at   TIMESTAMPTZ NOT NULL
);

-- Source github-history, stream commits: commits per author per month (author = hashed e-mail or login).
CREATE TABLE core.github_author_months (
    repo_key  VARCHAR NOT NULL,
    month     DATE NOT NULL,          -- first day of the month (UTC)
    author    VARCHAR NOT NULL,
    commits   INTEGER NOT NULL,
    route     VARCHAR NOT NULL,       -- git_clone or stats_api
    PRIMARY KEY (repo_key, month, author)
);

-- Where each repo's commit history was last read: months between the first commit and this
-- fetch with no commits are zeros, not gaps.
CREATE TABLE core.github_commit_sources (
    repo_key        VARCHAR PRIMARY KEY,
    route           VARCHAR NOT NULL,
    head            VARCHAR,
    default_branch  VARCHAR,
    fetched_at      TIMESTAMPTZ NOT NULL
);

-- Stream issue_counts: the search API's total_count per month.
CREATE TABLE core.github_issue_counts (
    repo_key           VARCHAR NOT NULL,
    month              DATE NOT NULL,
    issues_opened      BIGINT NOT NULL,
    issues_closed      BIGINT NOT NULL,
    prs_opened         BIGINT NOT NULL,
    prs_merged         BIGINT NOT NULL,
    month_complete     BOOLEAN NOT NULL, -- false: counted while the month was running
    incomplete_results BOOLEAN NOT NULL, -- GitHub said its search timed out (counts may be low)
    counted_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repo_key, month)
);

-- Stream issues: every issue and PR (the item-level route for median days to close and to merge).
CREATE TABLE core.github_issues (
    repo_key      VARCHAR NOT NULL,
    number        BIGINT NOT NULL,
    is_pr         BOOLEAN NOT NULL,
    state         VARCHAR,
    state_reason  VARCHAR,
    created_at    TIMESTAMPTZ NOT NULL,
    closed_at     TIMESTAMPTZ,
    merged_at     TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ,
    PRIMARY KEY (repo_key, number)
);

-- When a repo's listing last reached its end: medians are published from then on.
CREATE TABLE core.github_issue_listing (
    repo_key   VARCHAR PRIMARY KEY,
    synced_at  TIMESTAMPTZ NOT NULL
);

-- Stream stars: stars added per day from /stargazers/history (days of the Pacific calendar).
CREATE TABLE core.github_star_days (
    repo_key     VARCHAR NOT NULL,
    day          DATE NOT NULL,
    stars_added  BIGINT NOT NULL,
    fetched_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repo_key, day)
);

-- The stargazers_count read with each star-history fetch: the anchor of the cumulative series.
CREATE TABLE core.github_star_anchors (
    repo_key      VARCHAR PRIMARY KEY,
    repo_id       BIGINT,
    stars         BIGINT NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    complete      BOOLEAN NOT NULL,   -- the history reaches the repo's creation
    repo_created  TIMESTAMPTZ
);
