"""BigQuery backfill over the REST protocol, on synthetic answers: pricing, paging, budget, faults."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from typer.testing import CliRunner

from collectors import bigquery
from dltrends.errors import ConfigError
from dltrends.registry import load_registry
from jobs.collect.backfill import backfill
from tests.support.db import query
from tests.support.downloads import BIGQUERY
from tests.support.fakeserver import Response, status
from tests.support.settings import make_settings, write_registry

REGISTRY = ('[frameworks.pytorch]\nname = "PyTorch"\npypi = ["torch"]\n'
            '[frameworks.jax]\nname = "JAX"\npypi = ["jax"]\n')
QUERIES = "/bigquery/v2/projects/test-project/queries"
RESULTS = QUERIES + "/job_synthetic_1"
DAY = dt.date(2024, 1, 2)


def answer(name: str) -> dict:
    return json.loads((BIGQUERY / f"{name}.synthetic.json").read_text())


def respond(doc: dict) -> Response:
    return Response(200, json.dumps(doc).encode(), {"Content-Type": "application/json; charset=UTF-8"})


@pytest.fixture
def bq(tmp_path, server, monkeypatch):
    sent: list[dict] = []

    def queries(request):
        body = json.loads(request.body)
        sent.append(body)
        return respond(answer("dry_run" if body["dryRun"] else "job_running"))

    def results(request):
        page = "results_page2" if "pageToken=page-2" in request.query else "results_page1"
        return respond(answer(page))

    server.handle(QUERIES, queries, method="POST")
    server.handle(RESULTS, results)
    monkeypatch.setattr(bigquery, "google_credentials",
                        lambda: bigquery.Credentials(lambda: "test-token", "test-project"))
    reg = write_registry(tmp_path, REGISTRY)
    cfg = make_settings(tmp_path, server, registry=reg, bigquery_url=server.url)
    return cfg, load_registry(reg), sent


def test_a_day_is_priced_run_paged_and_stored(bq, server, caplog):
    cfg, reg, sent = bq
    caplog.set_level(logging.INFO, logger="collectors.bigquery")
    run = backfill(cfg, reg, "bigquery", since=DAY, until=DAY).sources[0]
    assert (run.status, run.counts.items_ok, run.counts.requests) == ("ok", 1, 4)
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", QUERIES), ("POST", QUERIES), ("GET", RESULTS), ("GET", RESULTS)]
    assert "pageToken=page-2" in server.requests[3].query and "location=US" in server.requests[3].query
    assert [b["dryRun"] for b in sent] == [True, False]
    params = {p["name"]: p for p in sent[1]["queryParameters"]}
    assert params["day"]["parameterValue"] == {"value": "2024-01-02"}
    assert params["packages"]["parameterValue"]["arrayValues"] == [{"value": "torch"}, {"value": "jax"}]
    assert "2024-01-02: the query will scan 23.46 GB (dry run)" in caplog.text
    assert all(r.headers["Authorization"] == "Bearer test-token" for r in server.requests)
    ci = query(cfg.db, "SELECT package_key, category, downloads FROM core.pypi_downloads "
                      "WHERE dimension = 'ci' ORDER BY ALL")
    assert ci == [("jax", "ci", 50), ("jax", "not_ci", 160), ("torch", "ci", 300),
                  ("torch", "not_ci", 600), ("torch", "unknown", 300)]
    assert query(cfg.db, "SELECT count(*) FROM core.pypi_downloads WHERE source = 'bigquery'") == [(22,)]
    share = query(cfg.db, "SELECT ci, share FROM downloads_by_ci WHERE package = 'torch' ORDER BY 1")
    assert share == [("ci", 0.25), ("not_ci", 0.5), ("unknown", 0.25)]
    leaked = query(cfg.db, "SELECT count(*) FROM raw.items WHERE payload::VARCHAR LIKE '%test-token%'")
    assert leaked == [(0,)]


def test_loaded_days_are_not_asked_again(bq, server):
    cfg, reg, _ = bq
    backfill(cfg, reg, "bigquery", since=DAY, until=DAY)
    server.reset_log()
    again = backfill(cfg, reg, "bigquery", since=DAY - dt.timedelta(days=1), until=DAY).sources[0]
    assert again.counts.items_unchanged == 1 and again.counts.items_ok == 1
    assert server.count(QUERIES, method="POST") == 2  # only the new day: priced, then run


def test_budget_defers_and_dry_run_only_prices(bq, server, tmp_path):
    cfg, reg, sent = bq
    small = cfg.model_copy(update={"bigquery_max_gb": 10.0})
    run = backfill(small, reg, "bigquery", since=DAY, until=DAY).sources[0]
    assert run.status == "deferred" and [b["dryRun"] for b in sent] == [True]
    assert "would scan 23.5 GB; 10.0 GB left of DLTRENDS_BIGQUERY_MAX_GB" in run.error
    sent.clear()
    dry = backfill(cfg, reg, "bigquery", since=DAY, until=DAY, dry_run=True).sources[0]
    assert [b["dryRun"] for b in sent] == [True] and dry.counts.items_ok == 0
    assert query(cfg.db, "SELECT count(*) FROM core.pypi_downloads") == [(0,)]


def test_rate_limits_and_server_errors_are_retried(bq, server):
    cfg, reg, _ = bq
    server.fail(QUERIES, status(429, Retry_After="3"), method="POST")
    server.fail(RESULTS, status(503))
    run = backfill(cfg, reg, "bigquery", since=DAY, until=DAY).sources[0]
    assert run.status == "ok" and run.counts.requests == 6


def test_a_short_answer_fails_the_day(bq, server):
    cfg, reg, _ = bq
    short = answer("results_page2")
    short["rows"] = short["rows"][:-1]
    server.handle(RESULTS, lambda r: respond(short if "pageToken" in r.query else answer("results_page1")))
    run = backfill(cfg, reg, "bigquery", since=DAY, until=DAY).sources[0]
    assert run.status == "failed" and "answer says 22 rows but 21 arrived" in run.error


def test_without_the_extra_the_command_says_what_to_install(tmp_path, server, monkeypatch):
    reg = write_registry(tmp_path, REGISTRY)
    cfg = make_settings(tmp_path, server, registry=reg)
    with pytest.raises(ConfigError, match=r"pip install 'dltrends\[bigquery\]'"):
        backfill(cfg, load_registry(reg), "bigquery", since=DAY, until=DAY)
    assert not cfg.db.exists()
    monkeypatch.setenv("DLTRENDS_DB", str(cfg.db))
    monkeypatch.setenv("DLTRENDS_REGISTRY", str(reg))
    result = CliRunner().invoke(__import__("jobs.cli", fromlist=["app"]).app,
                                ["backfill", "--source", "bigquery"])
    assert result.exit_code == 2 and "dltrends[bigquery]" in result.output
