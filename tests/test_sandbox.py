"""The SQL console's sandbox under attack: every attempt to read files, write, escape the settings
or run away is refused with a clear message or stopped within its limit, by each layer alone."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.support.procs import ended_within, parent_running, wait_for_child
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
    # oversized: refused by length (UTF-8 bytes, not characters) before anything parses it
    ("SELECT 1 -- " + "x" * 100_000, "too_long"),
    ("SELECT '" + "飞" * 34_000 + "'", "too_long"),  # 34,000 characters, 102,009 bytes
    ("SELECT 1;" + " " * 100_000 + "COPY (SELECT 1) TO '{tmp}/x.csv'", "too_long"),
    # nested: the forbidden call sits deep in subqueries, CTEs, lateral joins, function arguments
    ("SELECT * FROM range((SELECT count(*) FROM read_text('/etc/passwd')))", "table_function"),
    ("SELECT (SELECT (SELECT (SELECT content FROM read_text('/etc/passwd'))))", "table_function"),
    ("WITH a AS (WITH b AS (FROM read_blob('/etc/hostname')) FROM b) FROM a", "table_function"),
    ("FROM range(3) t, LATERAL (SELECT * FROM read_csv('/etc/passwd'))", "table_function"),
    ("SELECT * FROM (SELECT * FROM (FROM '/etc/passwd'))", "file"),
    ("SELECT list_transform([1], x -> getenv('HOME'))", "function"),
    ("SELECT " + "(" * 5000 + "1" + ")" * 5000, "syntax"),  # past the parser's depth limit
    # system views over table functions outside the list: a bare name is a table to the parser
    ("FROM pragma_database_list", "table_function"),
    ("SELECT name, value FROM pg_settings", "table_function"),
    ("SELECT * FROM pg_catalog.pg_settings", "table_function"),
    # non-ASCII text beside the attack, in names and before the separator
    ("SELECT * FROM read_text('/etc/passwd') -- 飞桨", "table_function"),
    ("SELECT '飞桨' AS name; COPY (SELECT 1) TO '{tmp}/x.csv'", "multiple"),
    ("SELECT 'é' AS x; ATTACH '{tmp}/x.duckdb'", "multiple"),
    ('SELECT * FROM "飞桨/../../etc/passwd"', "file"),
    ("SELECT * FROM \uff52\uff45\uff41\uff44_text('/etc/passwd')", "table_function"),  # fullwidth
    ("SELECT getenv('HOME') AS 飞桨", "function"),
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


def test_the_worker_checks_the_query(collected_warehouse, monkeypatch):
    """The parent never parses the text (megabytes of SQL cost seconds and gigabytes): the
    worker process decides, under its limits, and the parent's copy of `check` never runs."""
    monkeypatch.setattr(sandbox, "check", lambda *a, **k: pytest.fail("parsed in the parent"))
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
    assert result.rows == 50 and result.truncated and result.cut == "rows"


def test_large_results_are_cut_at_max_bytes(collected_warehouse):
    limits = Limits(seconds=30, max_bytes=20_000)
    sql = "SELECT range AS n, repeat('x', 1000) AS filler FROM range(100000)"
    result = sandbox.run(collected_warehouse, sql, limits)
    assert result.truncated and result.cut == "bytes"
    assert 10 <= result.rows < 20 and result.table.nbytes <= 20_000
    assert result.table.column("n").to_pylist() == list(range(result.rows))  # the first rows
    one_huge_row = sandbox.run(collected_warehouse, "SELECT repeat('x', 100000) AS s", limits)
    assert one_huge_row.rows == 0 and one_huge_row.cut == "bytes"
    small = sandbox.run(collected_warehouse, "SELECT 1 AS n", limits)
    assert not small.truncated and small.cut == ""


@pytest.mark.parametrize(("sql", "rows"), [
    ("select '飞桨' as name;", [{"name": "飞桨"}]),
    ("select 'é' as x; -- note", [{"x": "é"}]),
    ("SELECT '🦆' AS duck , 'ü' AS u ;  /* 注释 */", [{"duck": "🦆", "u": "ü"}]),
])
def test_non_ascii_text_before_the_semicolon(collected_warehouse, sql, rows):
    result = sandbox.run(collected_warehouse, sql, LIMITS)
    assert result.table.to_pylist() == rows
    assert result.sql == sql[:sql.index(";")]


def test_table_function_arguments_in_both_plan_shapes():
    """DuckDB 2 lists a table function's arguments as `arguments` ({name, expression}), DuckDB
    1.x as `children`: a forbidden call inside them is found either way."""
    inner = {"class": "FUNCTION", "type": "FUNCTION", "function_name": "getenv", "children": []}
    for function in ({"function_name": "range", "arguments": [{"name": "", "expression": inner}]},
                     {"function_name": "range", "children": [inner]}):
        found: list = []
        sandbox._walk({"type": "TABLE_FUNCTION", "function": function}, found)
        assert found == [("table_function", "range"), ("function", "getenv")]


@pytest.mark.parametrize("sql", [
    "SELECT path FROM duckdb_databases()",
    "SELECT * FROM duckdb_databases",
    "FROM pragma_database_list",
    "SELECT current_setting('home_directory')",
    "SELECT current_setting('allowed_paths')",
])
def test_paths_are_hidden_from_a_shared_dashboard(collected_warehouse, sql):
    with pytest.raises(QueryRefused) as refused:
        sandbox.run(collected_warehouse, sql, LIMITS, hide_paths=True)
    assert refused.value.code in ("hidden", "table_function")
    assert str(collected_warehouse.parent) not in str(refused.value)


def test_a_local_user_may_see_the_path(collected_warehouse):
    result = sandbox.run(collected_warehouse, "SELECT path FROM duckdb_databases() WHERE path "
                         "IS NOT NULL", LIMITS)
    assert result.table.column("path").to_pylist() == [str(collected_warehouse.resolve())]


def test_error_texts_name_no_folder_on_a_shared_dashboard(collected_warehouse):
    sql = f"SELECT * FROM {collected_warehouse.stem}.main.nosuch"
    for hide in (False, True):
        with pytest.raises(QueryFailed) as failed:
            sandbox.run(collected_warehouse, sql, LIMITS, hide_paths=hide)
        assert "nosuch" in str(failed.value)
    assert str(collected_warehouse.parent) not in str(failed.value)
    assert sandbox._blank(f"at {collected_warehouse} in {Path.home()}/x",
                          collected_warehouse) == f"at …/{collected_warehouse.name} in …/x"


def test_the_worker_does_not_import_from_the_working_directory(collected_warehouse, tmp_path):
    """A `warehouse/` or `json.py` in the folder where `dltrends sql` starts must not run."""
    evil = tmp_path / "cwd"
    (evil / "warehouse").mkdir(parents=True)
    marker = tmp_path / "pwned"
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    for name in ("warehouse/__init__.py", "warehouse/sandbox.py", "json.py", "duckdb.py"):
        (evil / name).write_text(payload)
    code = (f"from warehouse import sandbox; from pathlib import Path; print(sandbox.run("
            f"Path({str(collected_warehouse)!r}), 'SELECT 42 AS n', sandbox.Limits()).rows)")
    env = os.environ | {"PYTHONPATH": sandbox.ROOT.as_posix()}
    run = subprocess.run([sys.executable, "-P", "-c", code], cwd=evil, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "1"
    assert not marker.exists()


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_the_worker_dies_with_its_parent(collected_warehouse):
    """SIGKILL the process that started a query (`dltrends sql`, the dashboard): its worker must
    not run on at full CPU under PID 1, where no one enforces the time limit."""
    code = (f"from warehouse import sandbox; from pathlib import Path; sandbox.run("
            f"Path({str(collected_warehouse)!r}), {RUNAWAY!r}, sandbox.Limits(seconds=300))")
    parent = parent_running(code)
    worker = wait_for_child(parent.pid)
    try:
        time.sleep(1.0)  # the query is running
        assert _state(worker) in ("R", "S")
        parent.kill()
        parent.wait()
        assert ended_within(worker, 5.0), f"worker {worker} outlived its parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_CPU and /proc on Linux")
def test_the_worker_has_a_cpu_time_limit_of_its_own(collected_warehouse):
    limits = Limits(seconds=4, threads=2)
    code = (f"from warehouse import sandbox; from pathlib import Path; sandbox.run("
            f"Path({str(collected_warehouse)!r}), {RUNAWAY!r}, sandbox.{limits!r})")
    parent = parent_running(code)
    worker = wait_for_child(parent.pid)
    try:
        deadline = time.monotonic() + 10
        cap = None
        while cap is None and time.monotonic() < deadline:
            cap = _cpu_limit(worker)
            time.sleep(0.05)
        # the query's wall-clock limit on every thread, plus the worker's start-up
        assert cap is not None and 4 * 2 < cap <= sandbox._cpu_seconds(limits) + 5, cap
    finally:
        parent.kill()
        parent.wait()
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)


RUNAWAY = "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = 7"


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _cpu_limit(pid: int) -> int | None:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max cpu time"):
            soft = line.split()[3]
            return None if soft == "unlimited" else int(soft)
    return None


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
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(["", "rel", "/abs"]))
    env = sandbox._worker_env()
    assert "GITHUB_TOKEN" not in env and not any(k.startswith("DLTRENDS_") for k in env)
    assert "HOME" not in env and env["PYTHONPATH"] == "/abs"


def test_missing_warehouse_is_a_usage_error(tmp_path):
    from dltrends.errors import UsageError

    with pytest.raises(UsageError, match="run `dltrends collect` first"):
        sandbox.run(tmp_path / "none.duckdb", "SELECT 1", LIMITS)


def test_settings_become_limits(tmp_path):
    from tests.support.settings import make_settings

    settings = make_settings(tmp_path, sql_timeout=5, sql_memory_mb=128, sql_threads=1,
                             sql_max_rows=10)
    assert Limits.from_settings(settings) == Limits(5.0, 128, 1, 10)
    small = Limits.from_settings(make_settings(tmp_path, sql_max_bytes=4096,
                                               sql_max_query_bytes=200))
    assert small.max_bytes == 4096
    with pytest.raises(QueryRefused, match="201 bytes long; the console takes at most 200"):
        sandbox.check_size("x" * 201, small)
    assert sandbox.connection_config(Limits.from_settings(settings))["memory_limit"] == "128MB"


def test_sandbox_never_writes_beside_the_published_file(collected_warehouse):
    before = sorted(p.name for p in Path(collected_warehouse).parent.iterdir())
    sandbox.run(collected_warehouse, "SELECT * FROM releases ORDER BY random() LIMIT 5", LIMITS)
    assert sorted(p.name for p in Path(collected_warehouse).parent.iterdir()) == before
