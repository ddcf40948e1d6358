"""ClickPy backfill and top-ups against a fake ClickHouse serving synthetic JSONCompact answers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from typer.testing import CliRunner

from dltrends.registry import load_registry
from jobs.collect.backfill import backfill
from jobs.collect.run import collect
from jobs.collect.sources import default_sources
from tests.support.db import query
from tests.support.downloads import clickhouse_query, clickpy_answers, serve_clickhouse
from tests.support.fakeserver import Response, status
from tests.support.settings import make_settings, write_registry

REGISTRY = ('[frameworks.pytorch]\nname = "PyTorch"\npypi = ["torch"]\n'
            '[frameworks.jax]\nname = "JAX"\npypi = ["jax"]\n'
            '[frameworks.caffe2]\nname = "Caffe2"\npypi = ["caffe2"]\n')
BACKFILL_DAY = dt.datetime(2024, 1, 12, 6, tzinfo=dt.UTC)  # until = 2024-01-10


@pytest.fixture
def env(tmp_path, server):
    serve_clickhouse(server)
    reg = write_registry(tmp_path, REGISTRY)
    cfg = make_settings(tmp_path, server, registry=reg, clickpy_url=server.url, clickpy_concurrency=1)
    return cfg, load_registry(reg)


def queries(server) -> list[dict[str, str]]:
    return [clickhouse_query(r) for r in server.requests if r.path == "/"]


def run_backfill(cfg, reg, **kw):
    with time_machine.travel(BACKFILL_DAY, tick=False):
        return backfill(cfg, reg, "clickpy", since=dt.date(2023, 12, 1), **kw)


def test_backfill_asks_only_summing_tables_for_the_years_a_package_exists(env, server):
    cfg, reg = env
    run = run_backfill(cfg, reg).sources[0]
    sent = queries(server)
    assert run.status == "ok"
    # totals for all three; torch has 2023 and 2024 (country: only December is a complete month),
    # jax only 2024 (January is not complete: no country query), caffe2 no downloads: nothing more
    items = sorted((q["param_project"], q["param_start"], q["param_end"]) for q in sent)
    assert len(sent) == 3 + 9 + 4 and run.counts.requests == 16
    assert ("torch", "2023-12-01", "2023-12-31") in items and ("jax", "2024-01-01", "2024-01-10") in items
    for q in sent:
        assert "sum(count)" in q["query"] and "GROUP BY" in q["query"] and q["user"] == "play"
        assert "FROM pypi.pypi " not in q["query"] and "{project:String}" in q["query"]
        assert q["query"].endswith("FORMAT JSONCompact")


def test_backfilled_rows_are_whole_and_typed(env):
    cfg, reg = env
    run_backfill(cfg, reg)
    day = dt.date(2024, 1, 3)
    got = query(cfg.db, "SELECT dimension, category, downloads FROM core.pypi_downloads "
                       "WHERE package_key = 'torch' AND day = ? ORDER BY ALL", [day])
    # torch on 2024-01-03 (day 14 of its span): 1140 downloads, the new 2.2.0 at 20 %
    assert got == [
        ("installer", "bandersnatch", 57), ("installer", "pip", 912), ("installer", "unknown", 57),
        ("installer", "uv", 114), ("python", "3.10", 570), ("python", "3.11", 342),
        ("python", "unknown", 228), ("system", "Linux", 798), ("system", "Windows", 342),
        ("total", "with_mirrors", 1140), ("total", "without_mirrors", 1026),
        ("version", "2.1.0", 912), ("version", "2.2.0", 228),
    ]
    months = query(cfg.db, "SELECT day, category, downloads FROM core.pypi_downloads "
                          "WHERE dimension = 'country' ORDER BY ALL")
    december = sum(1000 + 10 * i for i in range(12))
    assert months == [(dt.date(2023, 12, 1), "CN", december - december * 6 // 10),
                      (dt.date(2023, 12, 1), "US", december * 6 // 10)]
    versions = query(cfg.db, "SELECT version, version_normalized, is_prerelease, minor_series "
                            "FROM core.download_versions WHERE package_key = 'torch' ORDER BY 1")
    assert versions == [("2.1.0", "2.1.0", False, "2.1"), ("2.2.0", "2.2.0", False, "2.2")]


def test_backfill_is_resumable_and_a_second_run_asks_nothing(env, server):
    cfg, reg = env
    server.fail("/", status(500), status(500), status(500))  # torch's totals fail 3 attempts
    first = run_backfill(cfg, reg).sources[0]
    # without torch's totals its years are unknown: only jax's four 2024 mixes follow
    assert (first.status, first.counts.items_failed, first.counts.items_ok) == ("partial", 1, 2 + 4)
    assert "torch: HTTP 500" in first.error
    server.reset_log()
    second = run_backfill(cfg, reg).sources[0]
    # unchanged: two complete totals, jax's four mixes, and two January country items (incomplete)
    assert (second.status, second.counts.items_ok, second.counts.items_unchanged) == ("ok", 1 + 9, 8)
    assert {q["param_project"] for q in queries(server)} == {"torch"}
    before = query(cfg.db, "SELECT * FROM core.pypi_downloads ORDER BY ALL")
    server.reset_log()
    third = run_backfill(cfg, reg).sources[0]
    assert queries(server) == [] and (third.counts.items_ok, third.counts.rows_written) == (0, 0)
    assert query(cfg.db, "SELECT * FROM core.pypi_downloads ORDER BY ALL") == before


def test_daily_top_up_asks_from_three_days_before_the_cursor(env, server):
    cfg, reg = env
    run_backfill(cfg, reg)
    assert "clickpy" in default_sources(cfg)
    server.reset_log()
    with time_machine.travel(dt.datetime(2024, 1, 15, 6, tzinfo=dt.UTC), tick=False):
        run = collect(cfg, reg, ["clickpy"]).sources[0]
    sent = sorted((q["param_project"], stream(q), q["param_start"], q["param_end"]) for q in queries(server))
    assert run.status == "ok"
    assert ("torch", "totals", "2024-01-07", "2024-01-13") in sent
    assert ("jax", "version", "2024-01-07", "2024-01-13") in sent
    assert len(sent) == 3 + 4 + 4  # totals, and the 2024 daily mixes of torch and jax


def stream(q):
    from tests.support.downloads import stream_of

    return stream_of(q["query"])


def test_an_error_after_200_and_a_clickhouse_error_are_named(env, server):
    cfg, reg = env
    cut = Response(200, b'{"meta":[{"name":"date","type":"Date"}],"data":[["2024-01-01"],\n'
                        b"Code: 241. DB::Exception: Memory limit (total) exceeded",
                   {"Content-Type": "application/json"})
    calls = {"n": 0}
    original = server.routes[("GET", "/")]

    def flaky(request):
        calls["n"] += 1
        return cut if calls["n"] == 1 else original(request)

    server.handle("/", flaky)
    server.fail("/", status(404, "Code: 60. DB::Exception: Unknown table expression identifier",
                            Content_Type="text/plain", X_ClickHouse_Exception_Code="60"))
    with time_machine.travel(BACKFILL_DAY, tick=False):
        run = backfill(cfg, reg, "clickpy", since=dt.date(2024, 1, 1)).sources[0]
    errors = sorted(run.counts.errors.values())
    assert any("HTTP 404" in e and "Code: 60. DB::Exception: Unknown table" in e for e in errors)
    assert any(e.startswith("incomplete answer") and "Code: 241. DB::Exception: Memory limit" in e
               for e in errors)


def test_cli_backfill_exit_codes(env, server, monkeypatch):
    from jobs.cli import app

    cfg, _ = env
    monkeypatch.setenv("DLTRENDS_DB", str(cfg.db))
    monkeypatch.setenv("DLTRENDS_REGISTRY", str(cfg.registry))
    monkeypatch.setenv("DLTRENDS_CLICKPY_URL", server.url)
    runner = CliRunner()
    with time_machine.travel(BACKFILL_DAY, tick=False):
        ok = runner.invoke(app, ["backfill", "--since", "2023-12-01"])
        bad = runner.invoke(app, ["backfill", "--since", "yesterday"])
        wrong = runner.invoke(app, ["backfill", "--source", "pypistats"])
    assert ok.exit_code == 0, ok.output
    assert "clickpy: ok," in ok.output and "published" in ok.output
    assert bad.exit_code == 2 and "not a date" in bad.output
    assert wrong.exit_code == 2


def test_answers_fixture_has_the_documented_shape():
    for stream_answers in (v for k, v in clickpy_answers().items() if not k.startswith("_")):
        for answer in stream_answers.values():
            assert set(answer) == {"meta", "data", "rows", "rows_before_limit_at_least", "statistics"}
            assert answer["rows"] == len(answer["data"])
            assert all(isinstance(row[-1], str) for row in answer["data"])  # Int64 as strings


def test_unreachable_clickpy_fails_fast(env):
    cfg, reg = env
    away = cfg.model_copy(update={"clickpy_url": "http://127.0.0.1:9"})
    with time_machine.travel(BACKFILL_DAY, tick=False):
        run = backfill(away, reg, "clickpy").sources[0]
    assert run.status == "failed" and run.counts.requests == 2
    assert run.error.startswith("clickpy cannot be reached at http://127.0.0.1:9")
