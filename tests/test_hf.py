"""Hugging Face Hub: daily top-N snapshots, counting by paging, rate limits, the token kept out."""

from __future__ import annotations

import datetime as dt
import json

from collectors.base import ItemState
from collectors.common import make_client
from collectors.hf import HubCollector
from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.clock import at
from tests.support.db import query, snapshot
from tests.support.fakeserver import status
from tests.support.signals import DAY1, DAY2, HF_DIR, serve_hf, signal_settings


def run(cfg):
    return collect(cfg, load_registry(cfg.registry), ["hf"]).sources[0]


def fixture_downloads(library: str, day: dt.date) -> list[int]:
    return [m["downloads"] for m in json.loads(
        (HF_DIR / f"models_{library}_{day}.synthetic.json").read_text())]


def test_daily_snapshots_accumulate_with_the_top_n_sums(tmp_path, server):
    cfg = signal_settings(tmp_path, server, hf_top_n=2)
    for day in (DAY1, DAY2):
        serve_hf(server, day)
        with at(day):
            result = run(cfg)
        assert (result.status, result.counts.items_ok, result.counts.requests) == ("ok", 4, 4)
    rows = query(cfg.db, "SELECT framework, library, snapshot_date, models_count, models_count_complete, "
                         "top_n, top_n_models, top_n_downloads_30d, listed_downloads_30d, top_model "
                         "FROM hub_models_daily WHERE library = 'pytorch' ORDER BY snapshot_date")
    day1, day2 = fixture_downloads("pytorch", DAY1), fixture_downloads("pytorch", DAY2)
    assert rows == [
        ("pytorch", "pytorch", DAY1, 4, True, 2, 2, sum(day1[:2]), sum(day1), "synthetic-org/pt-llama-mini"),
        ("pytorch", "pytorch", DAY2, 4, True, 2, 2, sum(day2[:2]), sum(day2), "synthetic-org/pt-llama-mini"),
    ]
    assert query(cfg.db, "SELECT count(*) FROM core.hf_top_models_daily WHERE library = 'jax'") == [(4,)]
    params = server.requests[0].query
    assert "sort=downloads" in params and "direction=-1" in params and "limit=1000" in params


def test_a_second_collect_the_same_day_asks_nothing(tmp_path, server):
    serve_hf(server, DAY1)
    cfg = signal_settings(tmp_path, server)
    with at(DAY1, 6):
        run(cfg)
        before = snapshot(cfg.db)
        again = run(cfg)
    assert (again.counts.items_unchanged, again.counts.requests, again.counts.rows_written) == (4, 0, 0)
    assert snapshot(cfg.db) == before


def test_counting_pages_through_the_listing_and_stops_at_the_page_limit(tmp_path, server):
    serve_hf(server, DAY1, ["pytorch"])
    cfg = signal_settings(tmp_path, server)
    client = make_client(cfg, server.url, None)
    with at(DAY1):
        full = HubCollector(client, top_n=3, max_pages=10, page_size=2).fetch_one("pytorch", ItemState())
        capped = HubCollector(client, top_n=3, max_pages=1, page_size=2).fetch_one("pytorch", ItemState())
    client.close()
    assert server.targets()[:2] == [
        "/api/models?filter=pytorch&sort=downloads&direction=-1&limit=2",
        "/api/models?filter=pytorch&sort=downloads&direction=-1&limit=2&cursor=2"]
    downloads = fixture_downloads("pytorch", DAY1)
    p = full.payload
    assert (p["models_count"], p["models_count_complete"], p["pages"]) == (4, True, 2)
    assert (p["top_n_models"], p["top_n_downloads"]) == (3, sum(downloads[:3]))
    assert [m["id"] for m in p["top_models"]][:1] == ["synthetic-org/pt-llama-mini"]
    c = capped.payload
    assert (c["models_count"], c["models_count_complete"], c["top_n_models"]) == (2, False, 2)


def test_rate_limit_is_honoured_and_the_token_stays_out_of_the_warehouse(tmp_path, server, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_s3cret")
    slept: list[float] = []
    monkeypatch.setattr("collectors.http._sleep", slept.append)
    serve_hf(server, DAY1)
    server.fail("/api/models?filter=tf&sort=downloads&direction=-1&limit=1000",
                status(429, Retry_After="30"))
    cfg = signal_settings(tmp_path, server)
    with at(DAY1):
        result = run(cfg)
    assert (result.status, slept) == ("ok", [30.0])
    assert {r.headers["Authorization"] for r in server.requests} == {"Bearer hf_s3cret"}
    stored = json.dumps(query(cfg.db, "SELECT payload FROM raw.items"))
    assert "hf_s3cret" not in stored and "synthetic-org/tf-bert-base" in stored


def test_a_library_answering_garbage_fails_alone(tmp_path, server):
    serve_hf(server, DAY1)
    server.add("/api/models?filter=jax&sort=downloads&direction=-1&limit=1000", {"error": "nope"})
    cfg = signal_settings(tmp_path, server)
    with at(DAY1):
        result = run(cfg)
    assert (result.status, result.counts.items_ok, result.counts.items_failed) == ("partial", 3, 1)
    assert "not a list of models" in result.counts.errors[("libraries", "jax")]
