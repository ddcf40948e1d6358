"""pypistats: real answers through the fake server, accumulation past 180 days, throttling, faults."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

import collectors.http
from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.db import query
from tests.support.downloads import body, serve_pypistats, shifted
from tests.support.fakeserver import HTML, TRUNCATED, status
from tests.support.settings import make_settings, write_registry

REGISTRY = '[frameworks.pip]\nname = "pip"\npypi = ["pip"]\n'


@pytest.fixture
def waits(monkeypatch):
    """Every wait, on a clock that moves only when dltrends waits (so the limiter's arithmetic shows)."""
    slept: list[float] = []
    now = [1000.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(collectors.http, "_sleep", sleep)
    monkeypatch.setattr(collectors.http, "_monotonic", lambda: now[0])
    return slept


def settings_for(tmp_path, server, registry_text=REGISTRY, **kw):
    reg = write_registry(tmp_path, registry_text)
    return make_settings(tmp_path, server, registry=reg, pypistats_url=server.url, **kw), \
        load_registry(reg)


def stored(db, dimension=None):
    sql = "SELECT package_key, dimension, day, category, source, downloads FROM core.pypi_downloads"
    if dimension:
        return query(db, sql + " WHERE dimension = ? ORDER BY ALL", [dimension])
    return query(db, sql + " ORDER BY ALL")


@time_machine.travel(dt.datetime(2020, 5, 3, 6, tzinfo=dt.UTC), tick=False)
def test_overall_keeps_both_categories_as_separate_rows(tmp_path, server):
    serve_pypistats(server, "pip", overall=body("overall_pip"), python_minor=body("python_minor_pip"),
                    system={"data": [], "package": "pip", "type": "system_downloads"})
    cfg, reg = settings_for(tmp_path, server)
    result = collect(cfg, reg, ["pypistats"])
    run = result.sources[0]
    assert (run.status, run.counts.items_ok, run.counts.items_unchanged) == ("ok", 2, 1)
    assert stored(cfg.db, "total") == [
        ("pip", "total", dt.date(2020, 5, 1), "with_mirrors", "pypistats", 2100139),
        ("pip", "total", dt.date(2020, 5, 1), "without_mirrors", "pypistats", 2083472),
        ("pip", "total", dt.date(2020, 5, 2), "with_mirrors", "pypistats", 1487218),
        ("pip", "total", dt.date(2020, 5, 2), "without_mirrors", "pypistats", 1475979),
    ]
    python = stored(cfg.db, "python")
    assert len(python) == 10 and ("pip", "python", dt.date(2018, 11, 1), "unknown", "pypistats",
                                  7122) in python
    assert [r.path for r in server.requests] == [
        "/api/packages/pip/overall", "/api/packages/pip/python_minor", "/api/packages/pip/system"]


def test_history_accumulates_past_180_days_across_two_runs(tmp_path, server):
    first = body("python_minor_pip_180days")  # 161 days, 2018-04-16 .. 2018-09-23
    serve_pypistats(server, "pip", python_minor=first)
    cfg, reg = settings_for(tmp_path, server, pypistats_scope="primary")
    with time_machine.travel(dt.datetime(2018, 9, 24, 7, tzinfo=dt.UTC), tick=False):
        collect(cfg, reg, ["pypistats"])
    assert query(cfg.db, "SELECT count(DISTINCT day), count(*) FROM core.pypi_downloads") == [(161, 1428)]

    # 30 days later the window has moved: its first 30 days are gone, 30 new days appeared,
    # and pypistats revised one day inside the overlap (a category changed, one vanished).
    second = dict(first, data=[r for r in first["data"] if r["date"] >= "2018-05-16"])
    second["data"] += [r for r in shifted(first, 30)["data"] if r["date"] > "2018-09-23"]
    revised = "2018-09-22"
    second["data"] = [r for r in second["data"] if not (r["date"] == revised and r["category"] == "3.8")]
    for r in second["data"]:
        if r["date"] == revised and r["category"] == "2.7":
            r["downloads"] = 1
    serve_pypistats(server, "pip", python_minor=second)
    with time_machine.travel(dt.datetime(2018, 10, 24, 7, tzinfo=dt.UTC), tick=False):
        run = collect(cfg, reg, ["pypistats"]).sources[0]
    days = query(cfg.db, "SELECT min(day), max(day), count(DISTINCT day) FROM core.pypi_downloads")
    assert days == [(dt.date(2018, 4, 16), dt.date(2018, 10, 23), 191)]
    assert query(cfg.db, "SELECT category, downloads FROM core.pypi_downloads WHERE day = ? "
                        "AND category IN ('2.7', '3.8')", [dt.date(2018, 9, 22)]) == [("2.7", 1)]
    new_rows = sum(1 for r in second["data"] if r["date"] > "2018-09-23")
    assert run.counts.rows_written == new_rows + 2  # the revised value and the vanished category
    landed = query(cfg.db, "SELECT min(d::DATE) FROM (SELECT unnest(json_extract_string(payload, "
                          "'$.data[*].date')) AS d FROM raw.items WHERE run_id = ?)", [run.run_id])
    assert landed == [(dt.date(2018, 9, 21),)]  # three days of overlap, not the whole window


@time_machine.travel(dt.datetime(2018, 9, 24, 7, tzinfo=dt.UTC), tick=False)
def test_a_series_is_asked_once_a_day_and_full_replaces_without_changes(tmp_path, server):
    serve_pypistats(server, "pip", overall=body("overall_pip"), system=body("python_minor_pip"),
                    python_minor=body("python_minor_pip_180days"))
    cfg, reg = settings_for(tmp_path, server, pypistats_scope="primary")
    collect(cfg, reg, ["pypistats"])
    before = stored(cfg.db)
    server.reset_log()
    again = collect(cfg, reg, ["pypistats"]).sources[0]
    assert server.count("/api/packages/pip/python_minor") == 0
    assert (again.status, again.counts.items_unchanged, again.counts.rows_written) == ("ok", 3, 0)
    full = collect(cfg, reg, ["pypistats"], full=True).sources[0]
    assert (full.counts.items_ok, full.counts.rows_written) == (3, 0)
    assert stored(cfg.db) == before


def test_throttled_to_the_configured_rate(tmp_path, server, waits):
    packages = [f"pkg{i}" for i in range(11)]
    for p in packages:
        serve_pypistats(server, p, overall=body("overall_pip"), python_minor=body("python_minor_pip"),
                        system=body("python_minor_pip"))
    text = '[frameworks.many]\nname = "Many"\npypi = [' + ", ".join(f'"{p}"' for p in packages) + "]\n"
    cfg, reg = settings_for(tmp_path, server, text, pypistats_scope="primary")
    run = collect(cfg, reg, ["pypistats"]).sources[0]
    assert run.counts.requests == 33 and server.count() == 33
    long_waits = [w for w in waits if w > 1]
    assert len(long_waits) == 1 and long_waits[0] > 50  # the 31st request waits for the window


def test_429_is_honoured_and_a_long_one_defers_the_rest(tmp_path, server, waits):
    serve_pypistats(server, "pip", overall=body("overall_pip"), python_minor=body("python_minor_pip"),
                    system=body("python_minor_pip"))
    server.fail("/api/packages/pip/overall", status(429, Retry_After="7"))
    server.fail("/api/packages/pip/python_minor", status(429, Retry_After="3600"))
    cfg, reg = settings_for(tmp_path, server)
    run = collect(cfg, reg, ["pypistats"]).sources[0]
    assert 7.0 in waits
    assert (run.status, run.counts.items_ok, run.counts.items_deferred) == ("deferred", 1, 2)
    assert server.count("/api/packages/pip/system") == 0
    error = query(cfg.db, "SELECT error FROM collector_runs")[0][0]
    assert "pip: deferred: pypistats rate limit: HTTP 429" in error
    assert "Retry-After 3600 s exceeds" in error


def test_unreachable_pypistats_fails_fast_and_the_rest_is_published(tmp_path, pypi_server, waits):
    reg_path = write_registry(tmp_path, '[frameworks.t]\nname = "tinygrad"\npypi = ["tinygrad"]\n')
    cfg = make_settings(tmp_path, pypi_server, registry=reg_path, pypistats_url="http://127.0.0.1:9")
    result = collect(cfg, load_registry(reg_path), ["pypi", "pypistats"])
    pypi_run, stats_run = result.sources
    assert pypi_run.status == "ok" and stats_run.status == "failed"
    assert stats_run.counts.requests == 2 and len(waits) == 1  # one probe, one retry after ~1 s
    assert stats_run.error.startswith("pypistats cannot be reached at "
                                      "http://127.0.0.1:9: connection failed")
    assert result.published and query(cfg.db, "SELECT count(*) FROM releases")[0][0] == 21


def test_bad_answers_are_named_per_series(tmp_path, server):
    serve_pypistats(server, "pip", overall=body("overall_pip"), python_minor=body("python_minor_pip"),
                    system=body("system_pip"))  # the recorded system sample has no dates
    server.fail("/api/packages/pip/overall", HTML)
    text = REGISTRY.replace('["pip"]', '["pip", "ghost"]')
    cfg, reg = settings_for(tmp_path, server, text)
    server.fail("/api/packages/pip/python_minor", TRUNCATED)
    run = collect(cfg, reg, ["pypistats"]).sources[0]
    assert run.status == "failed"
    errors = dict(((s, k), e) for (s, k), e in run.counts.errors.items())
    assert "expected JSON, got text/html" in errors[("overall", "pip")]
    assert "invalid JSON" in errors[("python_minor", "pip")]
    assert "5 of 5 rows are not daily {category, date, downloads} rows" in errors[("system", "pip")]
    assert errors[("overall", "ghost")].startswith("not on pypistats: HTTP 404")


def test_scope_decides_the_series(tmp_path, server):
    from jobs.collect.sources import SOURCES

    text = ('[frameworks.tf]\nname = "TF"\npypi = ["tensorflow"]\npypi_variants = ["tensorflow-cpu"]\n'
            'pypi_companions = ["tb"]\necosystem = ["keras-x"]\n')
    for scope, expected in [
        ("primary", (["tensorflow"], ["tensorflow"])),
        ("counted", (["tensorflow", "tensorflow-cpu"], ["tensorflow"])),
        ("all", (["tensorflow", "tensorflow-cpu", "tb", "keras-x"],) * 2),
    ]:
        cfg, reg = settings_for(tmp_path, server, text, pypistats_scope=scope)
        plan = SOURCES["pypistats"].plan(cfg, reg, None)
        assert [(s.name, k) for s, k in plan] == [
            ("overall", expected[0]), ("python_minor", expected[1]), ("system", expected[1])]
