"""The SQL console's sandbox under attack: every attempt to read files, write, escape the settings
or run away is refused with a clear message or stopped within its limit, by each layer alone."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from warehouse import formats, sandbox
from warehouse.sandbox import Limits, QueryFailed, QueryRefused, QueryStopped

LIMITS = Limits(seconds=30, memory_mb=256, threads=1, max_rows=1000)

# (SQL, the refusal code, or None where the parser sees only a harmless `SELECT 1`, which is all
# that runs); {tmp} is a fresh folder that must stay empty.
ATTACKS = [
    ("SELECT * FROM read_csv('/etc/passwd')", "table_function"),
    ("SELECT * FROM read_csv_auto('/etc/passwd', header = false)", "table_function"),
    ("SELECT * FROM '/etc/passwd'", "file"),
    ('SELECT * FROM "/etc/passwd"', "file"),
    ("DESCRIBE '/etc/passwd'", "file"),
    ("SELECT * FROM 'https://example.com/data.parquet'", "file"),
    ("SELECT * FROM read_parquet('{tmp}/x.parquet')", "table_function"),
    ("SELECT * FROM glob('/etc/*')", "table_function"),
    ("SELECT * FROM read_text('/etc/passwd')", "table_function"),
    ("SELECT content FROM read_blob('/etc/hostname')", "table_function"),
    ("SELECT * FROM system.main.read_csv('/etc/passwd')", "table_function"),
    ("WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x", "table_function"),
    ("SELECT (SELECT count(*) FROM read_csv('/etc/passwd')) AS n", "table_function"),
    ("SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')", "table_function"),
    ("SELECT * FROM checkpoint()", "table_function"),
    ("SELECT * FROM enable_logging()", "table_function"),
    ("COPY releases TO '{tmp}/x.csv'", "statement"),
    ("COPY (SELECT * FROM releases) TO '{tmp}/x'", "statement"),
    ("EXPORT DATABASE '{tmp}/dump'", "statement"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "statement"),
    ("DETACH dltrends", "statement"),
    ("INSTALL httpfs", "statement"),
    ("LOAD httpfs", "statement"),
    ("SET enable_external_access = true", "statement"),
    ("SET lock_configuration = false", "statement"),
    ("PRAGMA memory_limit = '100GB'", "statement"),
    ("RESET threads", "statement"),
    ("USE system", "statement"),
    ("CREATE TEMP TABLE t AS SELECT * FROM releases", "statement"),
    ("CREATE MACRO leak() AS TABLE SELECT * FROM read_text('/etc/passwd')", "statement"),
    ("CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')", "statement"),
    ("CALL checkpoint()", "statement"),
    ("DELETE FROM core.pypi_releases", "statement"),
    ("EXPLAIN ANALYZE SELECT 1", "statement"),
    ("SELECT getenv('GITHUB_TOKEN')", "function"),
    ("SELECT sleep_ms(600000)", "function"),
    ("SELECT 1; ATTACH '{tmp}/x.duckdb'", "multiple"),
    # comment tricks: the second statement hides behind a line comment, a block comment, a
    # Unicode line separator (U+2028) or a right-to-left override (U+202E) in a comment
    ("SELECT 1 -- harmless\n; COPY (SELECT 1) TO '{tmp}/x.csv'", "multiple"),
    ("SELECT 1 /* ; */ ; COPY (SELECT 1) TO '{tmp}/x.csv'", "multiple"),
    # U+2028 does not end a line comment for DuckDB: the COPY is comment text, only SELECT 1 runs
    ("SELECT 1 -- note\u2028; COPY (SELECT 1) TO '{tmp}/x.csv'", None),
    ("SELECT 1\u2028; ATTACH '{tmp}/x.duckdb'", "multiple"),
    ("SELECT 1 /* \u202e;)x/pmt/'(OT )1 TCELES(YPOC */; ATTACH '{tmp}/x.duckdb'", "multiple"),
    # a fullwidth semicolon (U+FF1B) is no separator: it does not parse at all
    ("SELECT 1 \uff1b COPY (SELECT 1) TO '{tmp}/x.csv'", "syntax"),
    # a zero-width space (U+200B) splits a keyword: no longer SQL
    ("SEL\u200bECT 1; COPY (SELECT 1) TO '{tmp}/x.csv'", "syntax"),
    ("", "empty"),
]


@pytest.mark.parametrize(("sql", "code"), ATTACKS, ids=[f"{i:02d}" for i in range(len(ATTACKS))])
def test_attacks_are_refused_with_a_clear_message(collected_warehouse, tmp_path, sql, code):
    folder = tmp_path / "target"
    folder.mkdir()
    sql = sql.replace("{tmp}", str(folder))
    if code is None:
        assert sandbox.run(collected_warehouse, sql, LIMITS).table.to_pylist() == [{"1": 1}]
    else:
        with pytest.raises(QueryRefused) as refused:
            sandbox.run(collected_warehouse, sql, LIMITS)
        assert refused.value.code == code, str(refused.value)
        assert str(refused.value) and "Traceback" not in str(refused.value)
    assert list(folder.iterdir()) == []


def test_nested_comment_trick_runs_only_what_the_parser_sees(collected_warehouse, tmp_path):
    """DuckDB nests block comments, so the COPY below is comment text; a checker that splits on
    `;` or ends comments at the first `*/` would judge a different statement than the one that
    runs. Here the same parser decides both, and only `SELECT 1` runs."""
    target = tmp_path / "x.csv"
    sql = f"SELECT 1 AS one /* /* */ ; COPY (SELECT 1) TO '{target}' -- */"
    assert sandbox.run(collected_warehouse, sql, LIMITS).table.to_pylist() == [{"one": 1}]
    assert not target.exists()


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')",
    "COPY (SELECT 1) TO '{tmp}/x.csv'",
    "EXPORT DATABASE '{tmp}/dump'",
    "ATTACH '{tmp}/other.duckdb'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET memory_limit = '100GB'",
    "RESET threads",
    "CREATE MACRO m() AS 1",
])
def test_the_connection_alone_refuses_them_too(collected_warehouse, tmp_path, sql):
    """Defense in depth: with the statement check bypassed, the locked connection still says no."""
    con = sandbox.open_sandbox(collected_warehouse, LIMITS)
    try:
        with pytest.raises(duckdb.Error):
            con.execute(sql.replace("{tmp}", str(tmp_path))).fetchall()
    finally:
        con.close()
    assert list(tmp_path.iterdir()) == []


def test_the_worker_checks_again(collected_warehouse, monkeypatch):
    """A parent that skipped its check still gets a refusal: the worker process decides."""
    monkeypatch.setattr(sandbox, "check", lambda sql, con=None: sql)
    with pytest.raises(QueryRefused) as refused:
        sandbox.run(collected_warehouse, "SELECT * FROM read_text('/etc/passwd')", LIMITS)
    assert refused.value.code == "table_function"
    with pytest.raises(QueryRefused) as refused:
        sandbox.run(collected_warehouse, "CREATE TEMP TABLE t AS SELECT 1", LIMITS)
    assert refused.value.code == "statement"


def test_a_runaway_cross_join_is_stopped_within_the_limit(collected_warehouse):
    # 10^12 rows: minutes of work on any machine
    sql = "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = 7"
    start = time.monotonic()
    with pytest.raises(QueryStopped) as stopped:
        sandbox.run(collected_warehouse, sql, Limits(seconds=2, memory_mb=256, threads=1))
    elapsed = time.monotonic() - start
    assert stopped.value.code == "timeout"
    assert "stopped after 2 s" in str(stopped.value)
    assert elapsed < 2 + sandbox.KILL_WAIT_S, elapsed


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux only")
@pytest.mark.parametrize("sql", [
    "SELECT length(repeat('x', 2000000000))",  # one 2 GB string: ignores memory_limit
    "SELECT len(range(500000000))",  # a 4 GB list in one row: neither interruptible nor limited
    "SELECT string_agg(a::VARCHAR, ',') FROM range(200000000) t(a)",
])
def test_memory_hogs_are_stopped(collected_warehouse, sql):
    start = time.monotonic()
    with pytest.raises(QueryStopped) as stopped:
        sandbox.run(collected_warehouse, sql, Limits(seconds=60, memory_mb=256, threads=1))
    assert stopped.value.code in ("memory", "crashed"), str(stopped.value)
    assert time.monotonic() - start < 30


def test_a_query_returns_typed_rows_and_downloads(collected_warehouse, tmp_path):
    sql = ("SELECT framework, package, version, released_at, python_versions FROM releases "
           "WHERE package = 'tinygrad' ORDER BY version_rank DESC LIMIT 3;  -- newest first")
    result = sandbox.run(collected_warehouse, sql, LIMITS)
    assert result.rows == 3 and not result.truncated
    expected = duckdb.connect(str(collected_warehouse), read_only=True)
    try:
        rows = expected.execute(sql.split(";")[0]).fetchall()
    finally:
        expected.close()
    assert [tuple(r.values()) for r in result.table.to_pylist()] == rows
    (tmp_path / "r.parquet").write_bytes(formats.parquet_bytes(result.table))
    assert pq.read_table(tmp_path / "r.parquet").equals(result.table)
    csv = formats.csv_bytes(result.table).decode().splitlines()
    assert csv[0] == "framework,package,version,released_at,python_versions"
    assert csv[1].startswith("tinygrad,tinygrad,") and "+00," in csv[1] and csv[1].endswith("]")


def test_large_results_are_cut_at_max_rows(collected_warehouse):
    result = sandbox.run(collected_warehouse, "SELECT * FROM release_files",
                         Limits(seconds=30, max_rows=50))
    assert result.rows == 50 and result.truncated


@pytest.mark.parametrize("sql", ["DESCRIBE releases", "SHOW TABLES", "SUMMARIZE frameworks",
                                 "FROM frameworks SELECT framework LIMIT 2", "VALUES (1, 'a')",
                                 "SELECT * FROM duckdb_views() WHERE NOT internal",
                                 "SELECT count(*) FROM raw.items"])
def test_read_only_query_forms_are_allowed(collected_warehouse, sql):
    assert sandbox.run(collected_warehouse, sql, LIMITS).rows >= 1


def test_sql_errors_say_what_is_wrong(collected_warehouse):
    with pytest.raises(QueryFailed) as failed:
        sandbox.run(collected_warehouse, "SELECT nosuch FROM releases", LIMITS)
    assert failed.value.code == "sql" and 'column "nosuch" not found' in str(failed.value)
    assert "LINE 1" not in str(failed.value)


def test_the_worker_gets_no_secrets(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    monkeypatch.setenv("DLTRENDS_DB", "/somewhere")
    env = sandbox._worker_env()
    assert "GITHUB_TOKEN" not in env and not any(k.startswith("DLTRENDS_") for k in env)


def test_missing_warehouse_is_a_usage_error(tmp_path):
    from dltrends.errors import UsageError

    with pytest.raises(UsageError, match="run `dltrends collect` first"):
        sandbox.run(tmp_path / "none.duckdb", "SELECT 1", LIMITS)


def test_settings_become_limits(tmp_path):
    from tests.support.settings import make_settings

    settings = make_settings(tmp_path, sql_timeout=5, sql_memory_mb=128, sql_threads=1,
                             sql_max_rows=10)
    assert Limits.from_settings(settings) == Limits(5.0, 128, 1, 10)
    assert sandbox.connection_config(Limits.from_settings(settings))["memory_limit"] == "128MB"


def test_sandbox_never_writes_beside_the_published_file(collected_warehouse):
    before = sorted(p.name for p in Path(collected_warehouse).parent.iterdir())
    sandbox.run(collected_warehouse, "SELECT * FROM releases ORDER BY random() LIMIT 5", LIMITS)
    assert sorted(p.name for p in Path(collected_warehouse).parent.iterdir()) == before
