"""Stack Overflow tag counts: daily snapshots, batching, quota and throttling, the key kept secret."""

from __future__ import annotations

import json

from collectors.base import ItemState
from collectors.stackoverflow import TAGS, StackOverflowCollector
from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.clock import at
from tests.support.db import query, snapshot
from tests.support.fakeserver import HTML, Response, status
from tests.support.signals import DAY1, DAY2, SO_DIR, SO_TAGS, serve_stackoverflow, signal_settings, so_path


def run(cfg):
    return collect(cfg, load_registry(cfg.registry), ["stackoverflow"]).sources[0]


def test_snapshots_accumulate_day_by_day_with_questions_per_week(tmp_path, server):
    cfg = signal_settings(tmp_path, server)
    serve_stackoverflow(server, DAY1)
    with at(DAY1):
        first = run(cfg)
    serve_stackoverflow(server, DAY2)
    with at(DAY2):
        second = run(cfg)
    assert (first.status, first.counts.items_ok, first.counts.requests) == ("ok", 8, 1)
    assert (second.counts.items_ok, second.counts.rows_written) == (8, 8)
    rows = query(cfg.db, "SELECT framework, tag, snapshot_date, question_count, previous_snapshot_date, "
                         "new_questions, questions_per_week, has_synonyms FROM stackoverflow_tags_daily "
                         "WHERE tag IN ('pytorch', 'tensorflow2.0') ORDER BY tag, snapshot_date")
    assert rows == [
        ("pytorch", "pytorch", DAY1, 26034, None, None, None, True),
        ("pytorch", "pytorch", DAY2, 26197, DAY1, 163, 163.0, True),
        ("tensorflow", "tensorflow2.0", DAY1, 2512, None, None, None, False),
        ("tensorflow", "tensorflow2.0", DAY2, 2515, DAY1, 3, 3.0, False),
    ]
    assert server.targets() == [f"{so_path(SO_TAGS)}?site=stackoverflow&pagesize=100"] * 2


def test_a_second_collect_the_same_day_asks_nothing_and_changes_nothing(tmp_path, server):
    cfg = signal_settings(tmp_path, server)
    serve_stackoverflow(server, DAY1)
    with at(DAY1, 8):
        run(cfg)
        before = snapshot(cfg.db)
        again = run(cfg)
    assert (again.counts.items_unchanged, again.counts.rows_written, again.counts.requests) == (8, 0, 0)
    assert snapshot(cfg.db) == before
    assert query(cfg.db, "SELECT count(*) FROM raw.items WHERE source = 'stackoverflow'") == [(8,)]


def test_throttling_defers_the_tags_and_says_why(tmp_path, server):
    cfg = signal_settings(tmp_path, server)
    serve_stackoverflow(server, DAY1)
    server.fail(so_path(SO_TAGS), status(400, (SO_DIR / "throttle_violation.synthetic.json").read_text()))
    with at(DAY1):
        result = run(cfg)
    assert (result.status, result.counts.items_deferred) == ("deferred", 8)
    error = query(cfg.db, "SELECT error FROM collector_runs")[0][0]
    assert error.startswith("jax, keras, mxnet, onnxruntime, pytorch, tensorflow, tensorflow2.0, "
                            "theano: deferred: throttled by StackExchange: too many requests from "
                            "this IP")  # one cause for the 8 tags: said once
    assert query(cfg.db, "SELECT count(*) FROM stackoverflow_tags_daily") == [(0,)]


def test_an_unknown_tag_fails_alone(tmp_path, server):
    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.t]\nname = "T"\nstackoverflow_tags = ["pytorch", "no-such-tag"]\n')
    cfg = signal_settings(tmp_path, server, registry=reg)
    body = (SO_DIR / f"tags_info_{DAY1}.synthetic.json").read_bytes()
    server.add(so_path(["pytorch", "no-such-tag"]), body)
    with at(DAY1):
        result = run(cfg)
    assert (result.status, result.counts.items_ok, result.counts.items_failed) == ("partial", 1, 1)
    assert result.counts.errors == {("tags", "no-such-tag"): "no tag 'no-such-tag' on stackoverflow "
                                                              "(a synonym of another tag, or renamed?)"}


def test_batches_of_100_tags_honour_backoff_and_stop_when_the_quota_is_gone(tmp_path, server, waits):
    tags = [f"tag{i:03d}" for i in range(250)]
    seen: list[list[str]] = []

    def answer(request):
        asked = request.path.removeprefix("/2.3/tags/").removesuffix("/info").split(";")
        seen.append(asked)
        body = {"items": [{"name": t, "count": 1} for t in asked], "quota_max": 300,
                "quota_remaining": 0 if len(seen) == 2 else 150, "backoff": 10}
        return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    server.handle_prefix("/2.3/tags/", answer)
    cfg = signal_settings(tmp_path, server)
    collector = StackOverflowCollector.from_settings(cfg)
    items = list(collector.fetch(TAGS, tags, {"tag000": ItemState(cursor="1999-01-01")}))
    collector.close()
    assert [len(s) for s in seen] == [100, 100]
    assert waits == [10.0]  # the backoff after the first batch; the second used up the quota
    statuses = [i.status for i in items]
    assert statuses.count("new") == 200 and statuses.count("deferred") == 50
    assert "daily quota of 300 requests is used up" in items[-1].error


def test_the_key_is_sent_but_never_stored_or_shown(tmp_path, server, monkeypatch, caplog):
    monkeypatch.setenv("STACKEXCHANGE_KEY", "s3cret-key((")
    cfg = signal_settings(tmp_path, server)
    serve_stackoverflow(server, DAY1)
    with at(DAY1):
        run(cfg)
    assert server.requests[0].query.endswith("key=s3cret-key%28%28")
    server.fail(so_path(SO_TAGS), *[status(500)] * 3)
    with at(DAY2), caplog.at_level("INFO"):
        failed = run(cfg)
    assert failed.status == "failed"
    stored = json.dumps(query(cfg.db, "SELECT * FROM raw.items"), default=str) + json.dumps(
        query(cfg.db, "SELECT * FROM collector_runs"), default=str)
    assert "HTTP 500" in stored
    logged = " ".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    assert "***" in logged  # the CLI keeps httpx's own request log at WARNING, which never names URLs
    for text in (stored, logged):
        assert "s3cret" not in text


def test_a_non_json_answer_does_not_show_the_key(tmp_path, server, monkeypatch):
    """A maintenance page instead of JSON: the error names the URL, with the key hidden."""
    monkeypatch.setenv("STACKEXCHANGE_KEY", "NonJsonSecretKey0123")
    cfg = signal_settings(tmp_path, server)
    serve_stackoverflow(server, DAY1)
    server.fail(so_path(SO_TAGS), HTML)
    with at(DAY1):
        failed = run(cfg)
    assert failed.status == "failed"
    errors = query(cfg.db, "SELECT error FROM core.run_item_errors")
    assert errors and all(e.startswith("expected JSON, got text/html") for (e,) in errors)
    stored = json.dumps(query(cfg.db, "SELECT * FROM collector_runs"), default=str) + json.dumps(
        errors) + json.dumps(query(cfg.db, "SELECT * FROM source_status"), default=str)
    assert "key=***" in stored and "NonJsonSecretKey0123" not in stored
