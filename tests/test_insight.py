"""The insight layer on the collected warehouse: the framework_health view checked against the
rows it is built from, and the Overview, Compare, Framework and Advisor pages with their
interactions (compare selection, advisor weights and targets, index weights, language)."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support.dashboard import app_test
from tests.support.db import query

pytestmark = pytest.mark.usefixtures("fresh_caches")


def open_page(db: Path, monkeypatch, page: str, lang: str = "en", **params) -> AppTest:
    monkeypatch.setenv("DLTRENDS_DB", str(db))
    at = app_test(lang, **params)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


# The framework_health view ---------------------------------------------------------------------

def test_health_view_against_its_sources(collected_warehouse):
    health = {r[0]: r for r in query(collected_warehouse,
              "SELECT framework, latest_release, cadence_ratio, bus_factor, open_vulnerabilities, "
              "breaking_per_release, releases_with_notes, close_time_ratio, minor_releases "
              "FROM framework_health")}
    assert len(health) == 14  # every registry framework, with NULLs where nothing is known
    # cadence: first final release of each minor series of tensorflow, gaps in days
    firsts = sorted(r[0] for r in query(collected_warehouse, """
        SELECT min(released_at) FROM releases WHERE package = 'tensorflow' AND NOT is_prerelease
          AND NOT yanked GROUP BY version_major, version_minor"""))
    gaps = [(b.date() - a.date()).days for a, b in zip(firsts, firsts[1:], strict=False)][::-1]
    assert health["tensorflow"][8] == len(firsts)
    assert health["tensorflow"][2] == pytest.approx(statistics.median(gaps[:4]) /
                                                    statistics.median(gaps[4:8]))
    assert health["pytorch"][1] == "torch 2.15.0" and health["pytorch"][4] == 1  # one CVE
    assert health["caffe2"][1] is None and health["caffe2"][2] is None  # no release: no facts
    # bus factor of the latest ended month of the repo; breaking changes over its releases
    month = dt.datetime.now(dt.UTC).date().replace(day=1)
    bus = query(collected_warehouse, "SELECT arg_max(bus_factor_12m, month) FROM community_monthly "
                                    "WHERE repo = 'pytorch/pytorch' AND month < ?", [month])[0][0]
    assert health["pytorch"][3] == bus
    notes = query(collected_warehouse, "SELECT breaking_changes FROM github_releases WHERE framework = "
                                      "'tensorflow' AND NOT is_prerelease AND note_items > 0 "
                                      "ORDER BY published_at DESC LIMIT 10")
    assert health["tensorflow"][5] == pytest.approx(sum(n for (n,) in notes) / len(notes))
    assert health["jax"][3] is None and health["jax"][7] is None  # no GitHub history collected


# Overview --------------------------------------------------------------------------------------

def test_overview_cards_momentum_index_and_changes(collected_warehouse, monkeypatch):
    at = open_page(collected_warehouse, monkeypatch, "app_pages/overview.py")
    assert [s.value for s in at.subheader] == [
        "Frameworks at a glance", "Momentum and share per signal", "Adoption index",
        "Share of the tracked ecosystem over time", "New releases", "Biggest movers",
        "Benchmark regressions", "Stale sources"]
    stars = [m for m in at.metric if m.label == "Stars"]
    assert len(stars) == 14 and stars[0].value == "190.0k" and stars[0].delta.startswith("+")
    assert [m.value for m in stars].count("no data") == 12  # only two repos in the test registry
    captions = [c.value for c in at.caption]
    days = (dt.datetime.now(dt.UTC).date() - dt.date(2026, 10, 28)).days  # calendar days (UTC)
    assert f"Latest release: torch 2.15.0, {days} days ago" in captions
    momentum = frame_with(at, "signal_label")
    pytorch = momentum[momentum["framework_name"] == "PyTorch"].set_index("signal_label")
    assert pytorch.loc["GitHub stars", "level"] == 90000
    assert pytorch.loc["GitHub stars", "share"] == pytest.approx(90 / 280)
    assert pytorch.loc["PyPI downloads", "note"] == "under 30 days of data: no 30-day level"
    index = frame_with(at, "adoption_index")
    assert index["name"].tolist()[:2] == ["TensorFlow", "PyTorch"]
    # without stars in the index, PyTorch (more authors and Hub models) leads
    at.slider(key="_w_iw_stars").set_value(0).run()
    assert frame_with(at, "adoption_index")["name"].tolist()[0] == "PyTorch"
    assert at.query_params["iw_stars"] == "0"


def test_overview_hides_retired_frameworks(collected_warehouse, monkeypatch):
    at = open_page(collected_warehouse, monkeypatch, "app_pages/overview.py", retired="0")
    names = [m.value.split(" · ")[0] for m in at.markdown if m.value.startswith("**")]
    assert "**Theano**" not in names and "**PyTorch**" in names and len(names) == 10  # 4 retired


# Compare ---------------------------------------------------------------------------------------

def test_compare_overlays_every_signal_with_release_markers(collected_warehouse, monkeypatch):
    at = open_page(collected_warehouse, monkeypatch, "app_pages/compare.py", fw="pytorch,tensorflow")
    assert len(at.subheader) == 9 and not at.info
    assert len(at.dataframe) == 0  # charts only, no tables
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    marks = [[layer["mark"]["type"] for layer in spec["layer"]] for spec in specs]
    assert len(marks) == 9 and all(m[0] == "line" for m in marks)
    # stars, stars gained, authors: release ticks inside the data's span (downloads end in 2024-01,
    # before the next torch minor release; Hub, questions and npm hold a week of snapshots)
    assert [m == ["line", "tick"] for m in marks] == [False, False, True, True, True, False, False,
                                                      False, True]
    at.multiselect(key="_w_fw").set_value(["jax"]).run()
    assert at.query_params["fw"] == "jax"
    assert sum(1 for i in at.info if "dltrends collect --source github" in i.value) >= 2


def test_compare_aligns_by_age(collected_warehouse, monkeypatch):
    at = open_page(collected_warehouse, monkeypatch, "app_pages/compare.py", fw="pytorch,tensorflow",
                   align="age", log="0")
    assert any(c.value.startswith("Age: years since the framework's first known release")
               for c in at.caption)
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert all('"field": "age_years"' in s for s in specs)
    assert not any('"type": "log"' in s for s in specs)


# Framework detail ------------------------------------------------------------------------------

def test_framework_detail_shows_health_forecast_and_changes(collected_warehouse, monkeypatch):
    at = open_page(collected_warehouse, monkeypatch, "app_pages/framework.py", fw="pytorch")
    assert at.header[0].value == "PyTorch · active"
    health = frame_with(at, "rule")
    assert health["component_label"].tolist() == [
        "Lifecycle", "Release recency", "Release cadence trend", "Issue close time trend",
        "Bus factor", "Known vulnerabilities"]
    assert health["weight"].sum() == pytest.approx(1.0)
    assert health.set_index("component_label").loc["Known vulnerabilities", "score"] == \
        pytest.approx(2 / 3)
    forecast = frame_with(at, "backtest_mape").set_index("signal")
    assert forecast.loc["GitHub stars", "backtest_points"] == 39
    assert 0 < forecast.loc["GitHub stars", "backtest_mape"] < 0.2
    assert forecast.loc["GitHub stars", "lo80"] < forecast.loc["GitHub stars", "mean"] < \
        forecast.loc["GitHub stars", "hi80"]
    assert "PyPI downloads: 2 complete weeks of data, a forecast needs 12" in " ".join(
        c.value for c in at.caption)
    assert at.markdown[0].value.startswith("Deploys to: server, desktop, mobile, edge ([source](https://")
    at.selectbox(key="_w_fw").set_value("tensorflow").run()
    assert at.header[0].value == "TensorFlow · active" and at.query_params["fw"] == "tensorflow"


def test_framework_without_data_names_the_commands(collected_warehouse, monkeypatch):
    at = open_page(collected_warehouse, monkeypatch, "app_pages/framework.py", fw="caffe2")
    assert at.header[0].value == "Caffe2 · retired → PyTorch"
    infos = " ".join(i.value for i in at.info)
    assert "dltrends collect --source pypi" in infos
    assert "dltrends bench run" in infos


# Advisor ---------------------------------------------------------------------------------------

def test_advisor_ranks_with_evidence_and_reacts_to_weights(collected_warehouse, monkeypatch):
    at = open_page(collected_warehouse, monkeypatch, "app_pages/advisor.py")
    ranking = frame_with(at, "unranked")
    ranked = ranking.dropna(subset=["rank"])
    assert set(ranked["framework"]) == {"pytorch", "tensorflow", "jax", "onnxruntime"}
    assert (ranking.loc[ranking["rank"].isna(), "unranked"].str.startswith("Not enough evidence")).all()
    evidence_heads = [e.label for e in at.expander if e.label.startswith("#")]
    assert evidence_heads[0].startswith("#1 ") and len(evidence_heads) == 4
    evidence = frame_with(at, "evidence")
    assert evidence["link"].str.startswith(("./", "https://")).all()
    assert "./community?fw=pytorch" in set(evidence["link"])
    for criterion in ("adoption", "momentum", "community", "stability", "outlook", "deployment"):
        at.slider(key=f"_w_w_{criterion}").set_value(0)
    at.run()
    ranking = frame_with(at, "unranked")
    assert ranking["name"].tolist()[:2] == ["TensorFlow", "PyTorch"]  # speed on this machine only
    assert at.query_params["w_adoption"] == "0"


def test_advisor_required_targets_and_switching_cost(collected_warehouse, monkeypatch):
    at = open_page(collected_warehouse, monkeypatch, "app_pages/advisor.py", targets="mobile",
                   current="jax", switch="30")
    ranking = frame_with(at, "unranked").set_index("framework")
    assert ranking.loc["tensorflow", "unranked"].startswith("Lacks the required targets: mobile")
    assert pd.isna(ranking.loc["tensorflow", "rank"]) and ranking.loc["pytorch", "rank"] == 1
    assert "lacks a required deployment target" in ranking.loc["tensorflow", "risks"]
    jax = ranking.loc["jax", "score"]
    at.slider(key="_w_switch").set_value(0).run()
    assert frame_with(at, "unranked").set_index("framework").loc["jax", "score"] == \
        pytest.approx(jax - 30, abs=0.11)


def test_pages_in_chinese(collected_warehouse, monkeypatch):
    at = open_page(collected_warehouse, monkeypatch, "app_pages/advisor.py", lang="zh")
    assert at.title[0].value == "选型顾问" and at.subheader[0].value == "排名"
    at.sidebar.selectbox[0].set_value("en").run()
    assert at.title[0].value == "Advisor" and at.query_params["lang"] == "en"


# Caching ---------------------------------------------------------------------------------------

def test_pages_render_the_same_with_caching_off(collected_warehouse, monkeypatch):
    cached = open_page(collected_warehouse, monkeypatch, "app_pages/overview.py")
    monkeypatch.setenv("DLTRENDS_DASHBOARD_CACHE_TTL", "0")  # perf/pages.py's baseline
    st.cache_data.clear()
    st.cache_resource.clear()
    uncached = open_page(collected_warehouse, monkeypatch, "app_pages/overview.py")
    assert [m.value for m in uncached.metric] == [m.value for m in cached.metric]
    assert frame_with(uncached, "adoption_index").equals(frame_with(cached, "adoption_index"))


def test_settings_are_read_again_when_their_inputs_change(collected_warehouse, monkeypatch, tmp_path):
    from dashboard import db

    monkeypatch.setenv("DLTRENDS_DB", str(collected_warehouse))
    assert db.settings().db == collected_warehouse and db.settings() is db.settings()
    monkeypatch.setenv("DLTRENDS_DB", str(tmp_path / "other.duckdb"))
    assert db.settings().db == tmp_path / "other.duckdb"
    (tmp_path / "dltrends.toml").write_text("dashboard_cache_ttl = 7\n")  # cwd is tmp_path
    assert db.settings().dashboard_cache_ttl == 7


# Cache warm-up -----------------------------------------------------------------------------------

def test_warm_up_computes_every_analysis_the_insight_pages_read(collected_warehouse, monkeypatch):
    """After dashboard.warmup.warm() (what the server's thread runs after each publish), the four
    pages render without computing any analysis again."""
    from dashboard import warmup
    from dltrends.analysis import changes, facts, forecast

    monkeypatch.setenv("DLTRENDS_DB", str(collected_warehouse))
    assert warmup.warm() > 0
    computed = []

    def refuse(name):
        def fn(*args, **kwargs):
            computed.append(name)
            raise AssertionError(f"{name} computed again after the warm-up")
        return fn

    for module, name in [(facts, "momentum"), (facts, "assemble"), (forecast, "forecast_weeks"),
                         (forecast, "backtest_weeks"), (changes, "findings")]:
        monkeypatch.setattr(module, name, refuse(name))
    for page, params in [("overview", {}), ("compare", {}), ("advisor", {}),
                         ("framework", {"fw": "pytorch"}), ("framework", {"fw": "jax"})]:
        open_page(collected_warehouse, monkeypatch, f"app_pages/{page}.py", **params)
    assert computed == []


def test_warm_up_thread_runs_only_in_a_server(monkeypatch):
    from dashboard import warmup

    assert warmup.start() is None  # AppTest and bare mode compute on demand: no thread
