"""npm daily downloads: history in 18-month ranges, incremental days, scoped names, bad answers."""

from __future__ import annotations

import datetime as dt

from collectors.base import ItemState
from collectors.npm import DOWNLOADS, NpmCollector, date_chunks
from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.clock import at
from tests.support.db import query, snapshot
from tests.support.fakeserver import HTML, status
from tests.support.signals import NPM_PACKAGES, npm_series, serve_npm, signal_settings

TODAY = dt.date(2026, 11, 28)


def run(cfg):
    return collect(cfg, load_registry(cfg.registry), ["npm"]).sources[0]


def test_first_collect_lands_every_day_of_every_package(tmp_path, server):
    serve_npm(server)
    cfg = signal_settings(tmp_path, server)
    with at(TODAY):
        result = run(cfg)
    assert (result.status, result.counts.items_ok, result.counts.requests) == ("ok", 3, 3)
    assert sorted(server.targets()) == sorted(
        f"/downloads/range/2026-10-31:2026-11-27/{p}" for p in NPM_PACKAGES)
    rows = query(cfg.db, "SELECT framework, package, day, downloads FROM npm_downloads_daily "
                         "WHERE package = '@tensorflow/tfjs' ORDER BY day")
    expected = npm_series("@tensorflow/tfjs")
    assert rows == [("tensorflow", "@tensorflow/tfjs", dt.date.fromisoformat(d), n)
                    for d, n in sorted(expected.items())]
    assert query(cfg.db, "SELECT framework, count(*) FROM npm_downloads_daily GROUP BY 1 ORDER BY 1") == [
        ("onnxruntime", 56), ("tensorflow", 28)]


def test_the_next_day_reads_only_the_new_days_and_a_short_overlap(tmp_path, server):
    serve_npm(server)
    cfg = signal_settings(tmp_path, server)
    with at(TODAY):
        run(cfg)
    before = snapshot(cfg.db)
    with at(TODAY):  # same UTC day: nothing asked, nothing written
        again = run(cfg)
    assert (again.counts.items_unchanged, again.counts.requests, again.counts.rows_written) == (3, 0, 0)
    assert snapshot(cfg.db) == before
    server.reset_log()
    with at(TODAY + dt.timedelta(days=1)):
        later = run(cfg)
    assert server.targets().count("/downloads/range/2026-11-25:2026-11-28/@tensorflow/tfjs") == 1
    assert later.counts.rows_written == 3  # one new day per package; the 3 re-read days unchanged
    assert query(cfg.db, "SELECT max(day), count(*) FROM npm_downloads_daily WHERE package = "
                         "'onnxruntime-web'") == [(dt.date(2026, 11, 28), 29)]


def test_full_history_is_read_in_540_day_ranges(tmp_path, server):
    serve_npm(server)
    cfg = signal_settings(tmp_path, server, npm_since=dt.date(2015, 1, 10))
    collector = NpmCollector.from_settings(cfg)
    with at(TODAY):
        item = collector.fetch_one("onnxruntime-node", ItemState())
    collector.close()
    spans = [t.split("/")[3] for t in server.targets()]
    assert spans[:2] == ["2015-01-10:2016-07-02", "2016-07-03:2017-12-24"]
    assert spans[-1] == "2026-11-08:2026-11-27" and len(spans) == 9  # 4,340 days
    assert list(date_chunks(dt.date(2024, 1, 1), dt.date(2024, 1, 3), 2)) == [
        (dt.date(2024, 1, 1), dt.date(2024, 1, 2)), (dt.date(2024, 1, 3), dt.date(2024, 1, 3))]
    days = sum(len(r["downloads"]) for r in item.payload["ranges"])
    assert days == (dt.date(2026, 11, 27) - dt.date(2015, 1, 10)).days + 1
    assert item.cursor == "2026-11-27|2026-11-28"


def test_unknown_package_and_bad_answers_fail_alone(tmp_path, server):
    serve_npm(server)
    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.t]\nname = "T"\nnpm = ["nosuch-package-xyz", "onnxruntime-web", '
                   '"onnxruntime-node", "@tensorflow/tfjs"]\n')
    cfg = signal_settings(tmp_path, server, registry=reg)
    server.fail("/downloads/range/2026-10-31:2026-11-27/onnxruntime-web", HTML)
    server.fail("/downloads/range/2026-10-31:2026-11-27/@tensorflow/tfjs", status(503), status(502))
    with at(TODAY):
        result = run(cfg)
    assert (result.status, result.counts.items_ok) == ("partial", 2)
    errors = {key: text for (_, key), text in result.counts.errors.items()}
    assert errors["nosuch-package-xyz"].startswith(
        "not found on npm: package nosuch-package-xyz not found")
    assert errors["onnxruntime-web"].startswith("expected JSON, got text/html")
    assert query(cfg.db, "SELECT DISTINCT package FROM npm_downloads_daily ORDER BY 1") == [
        ("@tensorflow/tfjs",), ("onnxruntime-node",)]
    assert DOWNLOADS.primary_key == ("package", "day")
