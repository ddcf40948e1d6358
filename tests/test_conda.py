"""conda monthly downloads: Parquet files downloaded through the client, cached, read with DuckDB."""

from __future__ import annotations

import datetime as dt

import time_machine

from collectors.conda import months
from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.db import query, snapshot
from tests.support.fakeserver import HTML, SHORT_BODY
from tests.support.signals import SIGNALS_REGISTRY, serve_conda, signal_settings, write_conda_month

TODAY = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
MONTHS = ["2026-08", "2026-09", "2026-10"]


def run(cfg):
    with time_machine.travel(TODAY, tick=True):
        return collect(cfg, load_registry(cfg.registry), ["conda"]).sources[0]


def path(month: str) -> str:
    return f"/conda/monthly/{month[:4]}/{month}.parquet"


def test_months_are_read_and_only_the_registry_packages_kept(tmp_path, server):
    serve_conda(server, tmp_path / "served", MONTHS)
    cfg = signal_settings(tmp_path, server)
    result = run(cfg)
    assert (result.status, result.counts.items_ok, result.counts.requests) == ("ok", 3, 3)
    rows = query(cfg.db, "SELECT framework, package, month, data_source, version, platform, python, "
                         "downloads FROM conda_downloads_monthly ORDER BY ALL")
    assert rows[:3] == [
        ("jax", "jax", dt.date(2026, 8, 1), "conda-forge", "0.6.2", "noarch", None, 7000),
        ("keras", "keras", dt.date(2026, 9, 1), "bioconda", "3.9.2", "noarch", None, 300),
        ("onnxruntime", "onnxruntime", dt.date(2026, 10, 1), "conda-forge", "1.22.0", "win-64", "3.12", 2100),
    ]
    assert ("pytorch", "pytorch", dt.date(2026, 10, 1), "conda-forge", "2.8.0", "linux-64", "3.12",
            48000) in rows  # the file's two time bins summed
    assert len(rows) == 12 and "numpy" not in {r[1] for r in rows}
    assert sorted(p.name for p in cfg.conda_cache_dir.iterdir()) == [f"{m}.parquet" for m in MONTHS]


def test_a_second_collect_revalidates_with_etags_and_writes_nothing(tmp_path, server):
    serve_conda(server, tmp_path / "served", MONTHS)
    cfg = signal_settings(tmp_path, server)
    run(cfg)
    before = snapshot(cfg.db)
    server.reset_log()
    again = run(cfg)
    assert (again.counts.items_unchanged, again.counts.rows_written, again.counts.requests) == (3, 0, 3)
    assert all("If-None-Match" in r.headers for r in server.requests)
    assert snapshot(cfg.db) == before


def test_a_registry_change_rereads_the_cached_files_without_downloading(tmp_path, server):
    serve_conda(server, tmp_path / "served", MONTHS)
    cfg = signal_settings(tmp_path, server)
    run(cfg)
    reg = tmp_path / "reg.toml"
    reg.write_text(SIGNALS_REGISTRY.read_text().replace('conda = ["keras"]', 'conda = ["keras", "numpy"]'))
    cfg = signal_settings(tmp_path, server, registry=reg)
    server.reset_log()
    again = run(cfg)
    assert (again.counts.items_ok, again.counts.rows_written) == (3, 1)
    assert server.count() == 3  # three 304s, no body downloaded
    assert query(cfg.db, "SELECT framework, sum(downloads) FROM conda_downloads_monthly "
                         "WHERE package = 'numpy' GROUP BY 1") == [("keras", 990000)]


def test_newest_month_not_published_is_deferred_and_a_missing_old_month_fails(tmp_path, server):
    serve_conda(server, tmp_path / "served", ["2026-09"])  # 2026-08 missing, 2026-10 not out yet
    server.fail(path("2026-09"), SHORT_BODY)  # a download cut short is retried
    cfg = signal_settings(tmp_path, server)
    result = run(cfg)
    assert (result.status, result.counts.items_ok, result.counts.items_failed,
            result.counts.items_deferred) == ("partial", 1, 1, 1)
    errors = {key: text for (_, key), text in result.counts.errors.items()}
    assert errors["2026-10"].startswith("deferred: not published yet (HTTP 404")
    assert errors["2026-08"].startswith("no file for 2026-08: HTTP 404")
    assert server.count(path("2026-09")) == 2
    assert query(cfg.db, "SELECT count(*) FROM conda_downloads_monthly") == [(4,)]


def test_a_body_that_is_not_parquet_fails_the_month(tmp_path, server):
    serve_conda(server, tmp_path / "served", MONTHS)
    server.fail(path("2026-09"), HTML)
    cfg = signal_settings(tmp_path, server)
    result = run(cfg)
    assert result.counts.items_ok == 2
    assert result.counts.errors[("monthly", "2026-09")].startswith("cannot read 2026-09.parquet")


def test_a_republished_month_replaces_its_rows(tmp_path, server):
    serve_conda(server, tmp_path / "served", MONTHS)
    cfg = signal_settings(tmp_path, server)
    run(cfg)
    rows = [("2026-09", "conda-forge", "pytorch", "2.8.0", "linux-64", "3.12", 50000)]
    server.add(path("2026-09"), write_conda_month(tmp_path / "v2", "2026-09", rows).read_bytes(),
               content_type="application/octet-stream")
    again = run(cfg)
    assert again.counts.items_ok == 1
    assert query(cfg.db, "SELECT package, data_source, downloads FROM conda_downloads_monthly "
                         "WHERE month = DATE '2026-09-01'") == [("pytorch", "conda-forge", 50000)]
    assert months("2025-11", dt.date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01"]
