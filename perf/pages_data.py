"""The synthetic warehouse of perf/pages.py, generated with SQL into the core tables (perf only).

Every framework gets its own trend: a base level, a yearly growth (some shrink), a weekday rhythm,
noise, a few one-day spikes and, for some, a level shift, so the analysis has something to find.
The values are made up; the framework names say so ("Synthetic 00").
"""

from __future__ import annotations

import datetime as dt

import duckdb

YEARS = 10
RELEASE_EVERY = 21  # days between releases of a package
LIVE_DAYS = 730  # a release is downloaded for two years


def generate(con: duckdb.DuckDBPyConnection, end: dt.date) -> None:
    start = end - dt.timedelta(days=round(YEARS * 365.25))
    con.execute("SET preserve_insertion_order = false")
    params(con, start, end)
    releases(con, start, end)
    downloads(con)
    github(con, start, end)
    signals(con, start, end)
    runs(con, end)


def params(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    con.execute("""
CREATE OR REPLACE TEMP TABLE fw AS
SELECT framework, row_number() OVER (ORDER BY framework) - 1 AS i FROM core.frameworks""")
    con.execute("""
CREATE OR REPLACE TEMP TABLE fwp AS
SELECT framework, i,
       2000.0 * pow(2.2, i % 9) AS base,                         -- downloads a day at the start
       CASE WHEN i % 5 = 3 THEN -0.35 ELSE 0.15 + 0.08 * (i % 6) END AS growth,   -- per year
       i % 4 = 1 AS shifted                                       -- a level shift in year 7
FROM fw""")
    con.execute("""
CREATE OR REPLACE TEMP TABLE pk AS
SELECT p.package_key, p.framework, p.role, f.i,
       CASE WHEN p.role = 'primary' THEN 1.0 ELSE 0.08 END AS weight
FROM core.packages p JOIN fw f USING (framework)""")
    con.execute("CREATE OR REPLACE TEMP TABLE days AS SELECT unnest(generate_series(?::DATE, ?::DATE, "
                "INTERVAL 1 DAY))::DATE AS day", [start, end])


def releases(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """A final release every 3 weeks per package, from two years before the downloads start."""
    con.execute("""
CREATE OR REPLACE TEMP TABLE rel AS
SELECT package_key, n, (1 + n // 20) AS major, n % 20 AS minor,
       (1 + n // 20) || '.' || (n % 20) || '.0' AS version,
       (?::DATE - INTERVAL 730 DAY + to_days((n * ? + hash(package_key) % 21
                                              + hash(package_key, n) % 5)::INTEGER))::DATE AS day
FROM pk, range(0, 400) AS r(n)
WHERE ?::DATE - INTERVAL 730 DAY + to_days((n * ?)::INTEGER) <= ?::DATE""",
                [start, RELEASE_EVERY, start, RELEASE_EVERY, end])
    con.execute("""
INSERT INTO core.pypi_releases BY NAME
SELECT package_key, version, version AS version_normalized, false AS is_prerelease,
       major AS version_major, minor AS version_minor, n + 1 AS version_rank,
       (day + INTERVAL 14 HOUR)::TIMESTAMPTZ AS released_at, false AS yanked, 3 AS file_count,
       50000000 AS total_bytes, ['3.11', '3.12'] AS python_versions, ['linux'] AS platforms,
       ['x86_64'] AS architectures, true AS has_sdist
FROM rel""")
    con.execute("""
INSERT INTO core.pypi_projects BY NAME
SELECT package_key, package_key AS project_name, 'synthetic package (perf only)' AS summary,
       arg_max(version, n) AS latest_version, 1 AS last_serial
FROM rel GROUP BY package_key""")
    con.execute("""
INSERT INTO core.download_versions BY NAME
SELECT package_key, version, version AS version_normalized, false AS is_prerelease,
       major || '.' || minor AS minor_series
FROM rel""")


def downloads(con: duckdb.DuckDBPyConnection) -> None:
    """Totals, versions and Python versions per package and day (clickpy, the backfill's table)."""
    con.execute("""
CREATE OR REPLACE TEMP TABLE totals AS
SELECT p.package_key, d.day,
       greatest(1, round(f.base * p.weight
           * exp(f.growth * date_diff('day', (SELECT min(day) FROM days), d.day) / 365.25)
           * CASE WHEN f.shifted AND d.day >= (SELECT min(day) + 2500 FROM days) THEN 1.6 ELSE 1 END
           * CASE WHEN hash(p.package_key, d.day) % 997 = 0 THEN 4 ELSE 1 END
           * (1 - 0.25 * (dayofweek(d.day) IN (0, 6))::INT)
           * (0.9 + 0.2 * (hash(d.day, p.package_key) % 1000) / 1000.0)))::BIGINT AS n
FROM pk p JOIN fwp f USING (framework) CROSS JOIN days d""")
    con.execute("""
INSERT INTO core.pypi_downloads BY NAME
SELECT package_key, 'total' AS dimension, day, 'without_mirrors' AS category, 'clickpy' AS source,
       n AS downloads FROM totals
UNION ALL
SELECT package_key, 'total', day, 'with_mirrors', 'clickpy', (n * 1.04)::BIGINT FROM totals""")
    con.execute("""
INSERT INTO core.pypi_downloads BY NAME
WITH live AS (
    SELECT t.package_key, t.day, t.n, r.version,
           row_number() OVER (PARTITION BY t.package_key, t.day ORDER BY r.day DESC) AS age
    FROM totals t JOIN rel r ON r.package_key = t.package_key
     AND r.day <= t.day AND r.day > t.day - INTERVAL 730 DAY
)
SELECT package_key, 'version' AS dimension, day, version AS category, 'clickpy' AS source,
       greatest(1, round(n * pow(0.85, age - 1) * 0.15))::BIGINT AS downloads
FROM live""")
    con.execute("""
INSERT INTO core.pypi_downloads BY NAME
SELECT t.package_key, 'python' AS dimension, t.day, v.python AS category, 'clickpy' AS source,
       greatest(1, round(t.n * v.share))::BIGINT AS downloads
FROM totals t CROSS JOIN (VALUES ('3.9', 0.1), ('3.10', 0.2), ('3.11', 0.3), ('3.12', 0.3),
                                 ('3.13', 0.1)) v(python, share)""")


def github(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Star history, snapshots of the last 30 days, monthly authors, every issue and PR, releases."""
    con.execute("""
CREATE OR REPLACE TEMP TABLE repos AS
SELECT framework, i, 'perf-synthetic/' || framework AS repo_key, 900000 + i AS repo_id, growth
FROM fwp""")
    con.execute("""
INSERT INTO core.github_star_days BY NAME
SELECT r.repo_key, d.day, greatest(0, round((5 + 3 * r.i) * exp(r.growth * 0.6
           * date_diff('day', (SELECT min(day) FROM days), d.day) / 365.25)
           * (0.7 + 0.6 * (hash(r.repo_key, d.day) % 1000) / 1000.0)))::BIGINT AS stars_added,
       now() AS fetched_at
FROM repos r CROSS JOIN days d""")
    con.execute("""
INSERT INTO core.github_star_anchors BY NAME
SELECT r.repo_key, r.repo_id, 1000 + sum(s.stars_added) AS stars, now() AS fetched_at,
       true AS complete, (min(s.day) - INTERVAL 30 DAY)::TIMESTAMPTZ AS repo_created
FROM repos r JOIN core.github_star_days s USING (repo_key) GROUP BY r.repo_key, r.repo_id""")
    con.execute("""
INSERT INTO core.github_repo_snapshots BY NAME
SELECT r.repo_id, d.day AS snapshot_date, r.repo_key, r.repo_key AS full_name,
       a.stars - coalesce((SELECT sum(stars_added) FROM core.github_star_days s
                           WHERE s.repo_key = r.repo_key AND s.day > d.day), 0) AS stars,
       1000 + 10 * r.i AS forks, 100 AS watchers, 500 AS open_issues, 80 AS open_prs,
       false AS archived, false AS disabled, now() AS pushed_at, a.repo_created AS created_at,
       'main' AS default_branch, 'Apache-2.0' AS license, [] AS topics, 100000 AS size_kb,
       'rest' AS via, now() AS fetched_at
FROM repos r JOIN core.github_star_anchors a USING (repo_key)
CROSS JOIN (SELECT day FROM days ORDER BY day DESC LIMIT 30) d""")
    con.execute("""
INSERT INTO core.github_repo_observations BY NAME
SELECT repo_id, snapshot_date AS observed_on, repo_key, 'fetched' AS method, now() AS observed_at
FROM core.github_repo_snapshots""")
    _community(con, start, end)
    _github_releases(con)


def _community(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    con.execute("""
CREATE OR REPLACE TEMP TABLE months AS
SELECT unnest(generate_series(date_trunc('month', ?::DATE), date_trunc('month', ?::DATE),
                              INTERVAL 1 MONTH))::DATE AS month""", [start, end])
    con.execute("""
INSERT INTO core.github_author_months BY NAME
SELECT r.repo_key, m.month, 'author-' || a.k AS author,
       1 + (hash(r.repo_key, m.month, a.k) % (60 // (1 + a.k % 7)))::INT AS commits,
       'git_clone' AS route
FROM repos r CROSS JOIN months m CROSS JOIN range(0, 120) a(k)
WHERE hash(r.repo_key, m.month, a.k) % 100 < 25 + 2 * r.i""")
    con.execute("""
INSERT INTO core.github_commit_sources BY NAME
SELECT repo_key, 'git_clone' AS route, 'synthetic' AS head, 'main' AS default_branch,
       now() AS fetched_at FROM repos""")
    con.execute("""
INSERT INTO core.github_issues BY NAME
WITH raw AS (
    SELECT r.repo_key, r.i, m.month, k,
           (m.month + to_days((hash(r.repo_key, m.month, k) % 28)::INTEGER)
                    + to_seconds((hash(k, m.month) % 86400)::BIGINT))::TIMESTAMPTZ AS created_at,
           k % 5 < 2 AS is_pr,
           exp(1 + 2.0 * (hash(m.month, k, r.repo_key) % 1000) / 1000.0
               + 0.3 * date_diff('month', (SELECT min(month) FROM months), m.month) / 120.0 * (r.i % 3))
               AS days_open
    FROM repos r CROSS JOIN months m CROSS JOIN range(0, 200) t(k)
)
SELECT repo_key, row_number() OVER (PARTITION BY repo_key ORDER BY created_at) AS number, is_pr,
       'closed' AS state, created_at,
       CASE WHEN NOT is_pr THEN created_at + to_seconds((days_open * 86400)::BIGINT) END AS closed_at,
       CASE WHEN is_pr THEN created_at + to_seconds((days_open * 43200)::BIGINT) END AS merged_at,
       created_at + to_seconds((days_open * 86400)::BIGINT) AS updated_at
FROM raw WHERE created_at + to_seconds((days_open * 86400)::BIGINT) < now()""")
    con.execute("INSERT INTO core.github_issue_listing SELECT repo_key, now() FROM repos")


def _github_releases(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
INSERT INTO core.github_releases BY NAME
SELECT 7000000 + row_number() OVER () AS release_id, r.repo_key, 'v' || x.version AS tag_name,
       'Synthetic ' || x.version AS name, (x.day + INTERVAL 12 HOUR)::TIMESTAMPTZ AS published_at,
       (x.day + INTERVAL 12 HOUR)::TIMESTAMPTZ AS created_at, false AS is_prerelease,
       'perf' AS author, 'Synthetic release notes (perf only).' AS body, x.version AS version
FROM rel x JOIN pk p USING (package_key) JOIN repos r USING (framework)
WHERE p.role = 'primary'""")
    con.execute("""
INSERT INTO core.github_release_notes BY NAME
SELECT release_id, k AS item_no, repo_key, 'Changes' AS section,
       CASE WHEN hash(release_id, k) % 6 = 0 THEN 'breaking' ELSE 'fix' END AS category,
       'Synthetic item ' || k AS text
FROM core.github_releases CROSS JOIN range(1, 6) t(k)""")


def signals(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """A year of daily Hub and Stack Overflow snapshots; npm and conda over the whole span."""
    con.execute("""
INSERT INTO core.hf_library_daily BY NAME
SELECT f.framework AS library, d.day AS snapshot_date, (d.day + INTERVAL 6 HOUR)::TIMESTAMPTZ AS fetched_at,
       round(500 * pow(1.8, f.i % 8) * exp(f.growth * date_diff('day', ?::DATE, d.day) / 365.25))::BIGINT
           AS models_count,
       true AS models_count_complete, 1000 AS top_n, 1000 AS top_n_models,
       1000000 * (1 + f.i) AS top_n_downloads, 1000 AS top_n_likes, 2000000 * (1 + f.i) AS listed_downloads
FROM fwp f CROSS JOIN days d WHERE d.day > ?::DATE - INTERVAL 400 DAY""", [end, end])
    con.execute("""
INSERT INTO core.stackoverflow_tags_daily BY NAME
SELECT f.framework AS tag, d.day AS snapshot_date, (d.day + INTERVAL 6 HOUR)::TIMESTAMPTZ AS fetched_at,
       (20000 * (1 + f.i % 5) + 40 * date_diff('day', ?::DATE, d.day))::BIGINT AS question_count,
       false AS has_synonyms, false AS is_moderator_only, false AS is_required
FROM fwp f CROSS JOIN days d WHERE d.day > ?::DATE - INTERVAL 400 DAY""", [start, end])
    con.execute("""
INSERT INTO core.npm_downloads_daily BY NAME
SELECT f.framework || '-js' AS package, d.day, round(f.base * 0.1 * (0.8 + 0.4 *
       (hash(d.day, f.i) % 100) / 100.0))::BIGINT AS downloads
FROM fwp f CROSS JOIN days d WHERE f.i % 3 = 0""")
    con.execute("""
INSERT INTO core.conda_downloads_monthly BY NAME
SELECT strftime(m.month, '%Y-%m') AS month, c.channel AS data_source, f.framework AS pkg_name,
       '1.0' AS pkg_version, 'linux-64' AS pkg_platform, '3.12' AS pkg_python,
       round(f.base * 3 * c.share)::BIGINT AS downloads
FROM fwp f CROSS JOIN months m
CROSS JOIN (VALUES ('anaconda', 0.6), ('conda-forge', 0.4)) c(channel, share)""")
    con.execute("""
INSERT INTO core.fetch_state BY NAME
SELECT 'osv' AS source, 'queries' AS stream, package_key || '==' || arg_max(version, n) AS item_key,
       now() AS fetched_at
FROM rel GROUP BY package_key""")


def runs(con: duckdb.DuckDBPyConnection, end: dt.date) -> None:
    con.execute("""
INSERT INTO core.collector_runs BY NAME
SELECT nextval('core.run_ids') AS run_id, source, now() - INTERVAL 2 HOUR AS started_at,
       now() - INTERVAL 1 HOUR AS finished_at, 'ok' AS status, 1 AS items_ok,
       'perf-synthetic' AS dltrends_version
FROM (VALUES ('pypi'), ('clickpy'), ('github'), ('github-history'), ('hf'), ('stackoverflow'),
             ('npm'), ('conda'), ('osv')) s(source)""")
