"""The CLI end to end (in process) against the fake server: commands, formats and exit codes."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobs.cli import app
from tests.support.downloads import body, serve_pypistats
from tests.support.fakeserver import status
from tests.support.settings import TEST_REGISTRY

runner = CliRunner()


@pytest.fixture
def env(tmp_path, pypi_server, monkeypatch) -> Path:
    db = tmp_path / "data" / "dl.duckdb"
    monkeypatch.setenv("DLTRENDS_DB", str(db))
    monkeypatch.setenv("DLTRENDS_REGISTRY", str(TEST_REGISTRY))
    monkeypatch.setenv("DLTRENDS_PYPI_URL", pypi_server.url)
    monkeypatch.setenv("DLTRENDS_HTTP_RETRIES", "1")
    # `collect` without --source also asks pypistats: serve it from the same fake server
    monkeypatch.setenv("DLTRENDS_PYPISTATS_URL", pypi_server.url)
    for package in ("tinygrad", "mlx"):
        serve_pypistats(pypi_server, package, overall=body("overall_pip"),
                        python_minor=body("python_minor_pip"), system=body("python_minor_pip"))
    return db


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_collect_status_sql(env):
    result = run("collect", "--framework", "tinygrad", "--framework", "mlx")
    assert result.exit_code == 0, result.output
    assert "pypi: ok, 2 new, 0 unchanged, 0 failed" in result.output
    assert "pypistats: ok, 6 new" in result.output
    assert env.exists()
    status_out = run("status", "--format", "json")
    assert status_out.exit_code == 0
    rows = {r["source"]: r for r in json.loads(status_out.stdout)}
    assert rows["pypi"]["last_status"] == "ok"
    out = run("sql", "SELECT package, count(*) AS n FROM releases GROUP BY 1 ORDER BY 1",
              "--format", "csv")
    assert out.exit_code == 0
    assert out.stdout.splitlines() == ["package,n", "mlx,60", "tinygrad,21"]
    table = run("sql", "SELECT framework, name FROM frameworks WHERE framework = 'mlx'")
    assert "MLX" in table.stdout


def test_partial_failure_exits_1_and_status_says_so(env, pypi_server):
    pypi_server.fail("/pypi/tinygrad/json", *[status(500)] * 2)
    result = run("collect", "-f", "tinygrad", "-f", "mlx")
    assert result.exit_code == 1
    assert "pypi: partial, 1 new, 0 unchanged, 1 failed" in result.output
    assert run("status").exit_code == 1


@pytest.mark.parametrize("args", [
    ["collect", "--source", "nosuch"],
    ["collect", "--framework", "nosuch"],
    ["sql", "SELEC 1"],
    ["sql", "SELECT 1", "--format", "xml"],
])
def test_usage_errors_exit_2(env, args):
    if args[0] == "sql":
        assert run("collect", "-f", "tinygrad").exit_code == 0
    result = run(*args)
    assert result.exit_code == 2, result.output


def test_malformed_registry_exits_2_and_writes_nothing(env, tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text('[frameworks.a]\nname = "A"\npypi = "not-a-list"\n')
    monkeypatch.setenv("DLTRENDS_REGISTRY", str(bad))
    result = run("collect")
    assert result.exit_code == 2
    assert f"{bad}: [frameworks.a] pypi" in result.output
    assert not env.parent.exists()


def test_bad_setting_exits_2(env, monkeypatch):
    monkeypatch.setenv("DLTRENDS_CONCURRENCY", "many")
    result = run("collect")
    assert result.exit_code == 2
    assert "environment variable DLTRENDS_CONCURRENCY" in result.output
    assert not env.parent.exists()


def test_status_and_sql_before_any_collect(env):
    for args in (["status"], ["sql", "SELECT 1"]):
        result = run(*args)
        assert result.exit_code == 2
        assert "run `dltrends collect` first" in result.output


def test_sql_is_read_only(env):
    run("collect", "-f", "tinygrad")
    result = run("sql", "DELETE FROM core.pypi_releases")
    assert result.exit_code == 2 and "read-only" in result.output


def test_version_and_help():
    assert run("version").exit_code == 0
    help_text = run("--help").stdout
    for command in ("collect", "status", "sql", "dashboard"):
        assert command in help_text


def test_collect_with_pypistats_unreachable_publishes_the_rest(env, monkeypatch):
    monkeypatch.setenv("DLTRENDS_PYPISTATS_URL", "http://127.0.0.1:9")
    result = run("collect", "--framework", "tinygrad")
    assert result.exit_code == 1
    assert "pypi: ok, 1 new" in result.output
    assert "pypistats: failed" in result.output and "pypistats cannot be reached" in result.output
    assert "published" in result.output


def test_sql_cuts_at_max_bytes_and_exits_1(collected_warehouse):
    out = run("sql", "SELECT range AS n, repeat('x', 1000) AS filler FROM range(100)",
              "--format", "csv", "--max-bytes", "20000", "--db", str(collected_warehouse))
    assert out.exit_code == 1
    rows = out.stdout.splitlines()[1:]
    assert 10 <= len(rows) < 20 and rows[0].startswith("0,xxx")
    assert f"result cut at {len(rows)} rows to stay under 20,000 bytes (--max-bytes" in out.output


def test_sql_refuses_a_query_over_the_size_cap(collected_warehouse, monkeypatch):
    monkeypatch.setenv("DLTRENDS_SQL_MAX_QUERY_BYTES", "100")
    for args, stdin in ((["SELECT 1 -- " + "x" * 200], None), (["-"], "SELECT 1 -- " + "x" * 10**6)):
        out = runner.invoke(app, ["sql", *args, "--db", str(collected_warehouse)], input=stdin)
        assert out.exit_code == 2, out.output
        assert "bytes long; the console takes at most 100 (DLTRENDS_SQL_MAX_QUERY_BYTES)" in out.output
    fits = runner.invoke(app, ["sql", "-", "--db", str(collected_warehouse), "--format", "csv"],
                         input="SELECT '飞桨' AS name;")
    assert fits.exit_code == 0 and fits.stdout.splitlines() == ["name", "飞桨"]


def test_sql_csv_stays_faithful_to_formula_like_text(collected_warehouse):
    """A spreadsheet guard belongs to the dashboard's downloads; the CLI writes the data as is."""
    out = run("sql", "SELECT '=1+1' AS f, -5 AS n, '@SUM(A1)' AS a, '+x' AS p", "--format", "csv",
              "--db", str(collected_warehouse))
    assert out.exit_code == 0
    assert out.stdout.splitlines() == ["f,n,a,p", "=1+1,-5,@SUM(A1),+x"]
