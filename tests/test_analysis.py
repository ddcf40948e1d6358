"""Analysis functions on small fixed data sets with hand-checked answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dltrends.analysis import changes, facts, forecast, scoring, series


def daily(values, start="2024-01-01", column="value"):
    dates = pd.date_range(start, periods=len(values), freq="D", tz="UTC")
    return pd.DataFrame({"date": dates, column: values})


# series ---------------------------------------------------------------------------------------
def test_weekly_sums_flows_and_keeps_gaps():
    frame = daily([1] * 14)  # 2024-01-01 is a Monday
    frame = pd.concat([frame[frame["date"] < "2024-01-08"], daily([5] * 7, "2024-01-15")])
    weeks = series.weekly(frame)
    assert weeks["value"].tolist()[0] == 7 and math.isnan(weeks["value"].tolist()[1])
    assert weeks["value"].tolist()[2] == 35 and weeks["days"].tolist()[2] == 7


def test_weekly_takes_the_last_value_of_a_stock():
    weeks = series.weekly(daily(list(range(1, 15))), kind="stock")
    assert weeks["value"].tolist() == [7, 14]


def test_growth_flow_and_stock_by_hand():
    flow = daily([10] * 30 + [15] * 30)
    assert series.growth(flow, 30) == pytest.approx(0.5)
    stock = daily(list(range(100, 200)))
    # value now 199, 90 days before the last day: 109 -> 199/109 - 1
    assert series.growth(stock, 90, kind="stock") == pytest.approx(199 / 109 - 1)
    assert series.growth(daily([1] * 40), 30) is None  # needs 60 days for a 30-day flow growth


def test_shares_leave_missing_out():
    frame = pd.DataFrame({"framework": ["a", "b", "c"], "value": [30, 10, None]})
    assert series.shares(frame).to_dict() == {"a": 0.75, "b": 0.25}


# forecast -------------------------------------------------------------------------------------
def test_forecast_recovers_an_exact_exponential_trend():
    weeks = 60
    values = [1000 * 1.02 ** (d / 7) for d in range(weeks * 7)]
    result = forecast.forecast(daily(values))
    assert len(result) == 13
    last_week_total = sum(values[-7:])
    assert result["mean"].iloc[0] == pytest.approx(last_week_total * 1.02, rel=1e-3)
    assert (result["hi80"] - result["lo80"]).max() < 1e-6 * result["mean"].max()  # no noise


def test_forecast_interval_widens_with_the_horizon_and_covers_noise():
    rng = np.random.default_rng(7)
    values = 5000 * np.exp(rng.normal(0, 0.05, 700))
    result = forecast.forecast(daily(values))
    widths = (result["hi95"] - result["lo95"]).to_numpy()
    assert (np.diff(widths) > 0).all()
    assert (result["lo80"] > result["lo95"]).all() and (result["hi80"] < result["hi95"]).all()
    bt = forecast.backtest(daily(values))
    assert bt.origins == 3 and bt.points == 39
    assert bt.mape < 0.1 and bt.coverage80 >= 0.6


def test_stock_forecast_never_falls_below_the_last_value():
    values = list(range(10_000, 10_000 + 200))  # 28 complete weeks, then 4 days
    result = forecast.forecast(daily(values), kind="stock")
    assert result["mean"].iloc[0] == pytest.approx(values[195] + 7, rel=1e-6)
    assert (result["lo95"] >= values[195]).all()


def test_forecast_needs_history():
    assert forecast.forecast(daily([1] * 30)) is None
    assert forecast.backtest(daily([1] * 100)) is None


def test_backtest_on_a_known_series():
    """A series that doubles: the log-linear method is exact, so MAPE is ~0 and coverage 1."""
    values = [100 * 2 ** (d / 70) for d in range(80 * 7)]
    bt = forecast.backtest(daily(values))
    assert bt.mape == pytest.approx(0, abs=1e-9) and bt.coverage80 == 1.0


# changes --------------------------------------------------------------------------------------
def weeks_of(values, start="2024-01-01"):
    return pd.DataFrame({"week": pd.date_range(start, periods=len(values), freq="7D", tz="UTC"),
                         "value": values})


def test_anomalies_find_a_spike_and_a_drop():
    values = [100, 102, 98, 101, 99, 100, 103, 97, 100, 400, 101, 99, 100, 20, 100]
    found = changes.anomalies(weeks_of(values))
    assert found["kind"].tolist() == ["spike", "drop"]
    assert found["value"].tolist() == [400, 20]


def test_level_shift_found_where_it_happens():
    values = [100 + (i % 3) for i in range(20)] + [200 + (i % 3) for i in range(20)]
    shifts = changes.level_shifts(weeks_of(values))
    assert len(shifts) == 1
    assert shifts["week"].iloc[0] == weeks_of(values)["week"].iloc[20]
    assert shifts["change"].iloc[0] == pytest.approx(1.0, rel=0.03)
    assert changes.level_shifts(weeks_of([100 + (i % 3) for i in range(40)])).empty


def test_annotate_with_the_nearest_event_only_when_close():
    found = pd.DataFrame({"week": pd.to_datetime(["2024-03-04", "2024-09-02"], utc=True)})
    events = pd.DataFrame({"date": ["2024-03-10", "2024-01-01"], "label": ["jax 0.4.25", "old"]})
    out = changes.annotate(found, events)
    assert out["event"].tolist() == ["jax 0.4.25", None]
    assert out["event_days"].tolist() == [6, None]


# scoring --------------------------------------------------------------------------------------
def test_health_score_by_hand():
    facts = pd.Series({"status": "active", "days_since_release": 90, "cadence_ratio": 2.0,
                       "close_time_ratio": None, "bus_factor": 5, "open_vulnerabilities": 0})
    score = scoring.health(facts)
    # lifecycle 1 (w .25), recency 1 (.20), cadence .5 (.15), bus 1 (.15), advisories 1 (.10);
    # close time missing: weights renormalised over .85
    assert score.total == pytest.approx(100 * (0.25 + 0.20 + 0.075 + 0.15 + 0.10) / 0.85, abs=0.1)
    assert score.components["close_time_trend"][1] is None
    assert score.coverage == pytest.approx(0.85)


def test_health_of_a_retired_framework():
    facts = pd.Series({"status": "retired", "days_since_release": 1500})
    assert scoring.health(facts).total == 0.0


def test_advisor_ranks_with_evidence_risks_and_switching_cost():
    facts = pd.DataFrame({
        "status": ["active", "active", "retired"],
        "download_share": [0.6, 0.3, 0.1],
        "growth_90d": [0.05, 0.20, -0.30],
        "days_since_release": [20, 40, 1000],
        "bus_factor": [8, 1, 2],
        "deployment": [["server", "mobile"], ["server"], ["server"]],
    }, index=["tf", "jax", "mxnet"])
    ranked = scoring.advise(facts, targets=["mobile"])
    assert [a.framework for a in ranked] == ["tf", "jax", "mxnet"]
    assert ranked[0].criteria["adoption"][1] == 1.0 and ranked[2].criteria["adoption"][1] == 0.0
    assert ranked[0].criteria["deployment"][1] == 1.0 and ranked[1].criteria["deployment"][1] == 0.0
    assert ranked[1].risks == ["single_maintainer", "missing_target"]
    assert set(ranked[2].risks) == {"retired", "slowing", "stale_releases", "missing_target"}
    assert ranked[0].criteria["performance"][1] is None  # no benchmark data: left out, not zero
    points = ranked[1].points()  # what the Advisor's chart and evidence tables show
    assert points["performance"] is None and points["deployment"] == 0.0
    assert sum(p for p in points.values() if p is not None) == pytest.approx(ranked[1].score, abs=0.06)
    with_cost = scoring.advise(facts, targets=["mobile"], current="jax", switching_bonus=0.5)
    assert with_cost[0].framework == "jax"


def test_advisor_weights_change_the_ranking():
    facts = pd.DataFrame({"status": ["active", "active"], "download_share": [0.9, 0.1],
                          "growth_90d": [0.0, 1.0]}, index=["big", "rising"])
    by_adoption = scoring.advise(facts, weights={"adoption": 1.0, "momentum": 0.1})
    by_momentum = scoring.advise(facts, weights={"adoption": 0.1, "momentum": 1.0})
    assert by_adoption[0].framework == "big" and by_momentum[0].framework == "rising"


# series: monthly growth, the adoption index, age alignment ------------------------------------
def months_of(values, start="2024-01-01"):
    return pd.DataFrame({"date": pd.date_range(start, periods=len(values), freq="MS", tz="UTC"),
                         "value": values})


def test_period_growth_needs_consecutive_months():
    assert series.period_growth(months_of([10, 10, 10, 20, 20, 20]), 3) == pytest.approx(1.0)
    assert series.period_growth(months_of([4, 6, 10, 5]), 1) == pytest.approx(-0.5)
    gap = months_of([10, 10, 10, 20, 20, 20]).drop(index=4)
    assert series.period_growth(gap, 2) is None  # a missing month is not a zero
    assert series.period_growth(months_of([1, 2, 3]), 2) is None


def test_adoption_index_renormalises_and_reports_coverage():
    shares = pd.DataFrame({"downloads": [0.6, 0.4], "stars": [0.5, np.nan]}, index=["a", "b"])
    index = series.adoption_index(shares, {"downloads": 0.5, "stars": 0.5, "hub_models": 0.0})
    assert index.loc["a", "index"] == pytest.approx(0.55) and index.loc["a", "coverage"] == 1.0
    assert index.loc["b", "index"] == pytest.approx(0.4) and index.loc["b", "coverage"] == 0.5
    weighted = series.adoption_index(shares, {"downloads": 3, "stars": 1})
    assert weighted.loc["a", "index"] == pytest.approx((3 * 0.6 + 0.5) / 4)


def test_age_aligned_counts_years_from_each_origin():
    frame = pd.DataFrame({"framework": ["a", "a", "b"],
                          "date": ["2020-01-01", "2022-01-01", "2021-06-01"]})
    out = series.age_aligned(frame, {"a": pd.Timestamp("2020-01-01", tz="UTC")})
    assert out["age_years"].tolist() == pytest.approx([0.0, 731 / 365.25])
    assert set(out["framework"]) == {"a"}  # no origin: cannot be placed on the axis


# facts: momentum, speed, the facts row ---------------------------------------------------------
def long(framework, values, start="2023-01-01", freq="D"):
    dates = pd.date_range(start, periods=len(values), freq=freq, tz="UTC")
    return pd.DataFrame({"framework": framework, "date": dates, "value": values})


def test_momentum_levels_growth_and_shares_by_hand():
    downloads = pd.concat([long("a", [10] * 400 + [20] * 400), long("b", [30] * 800)])
    stars = pd.concat([long("a", list(range(1000, 1800))), long("b", [5000] * 800)])
    authors = long("a", [4, 4, 4, 8, 8, 8], "2024-01-01", "MS")
    out = facts.momentum({"downloads": downloads, "stars": stars, "authors": authors})
    row = out.set_index(["framework", "signal"])
    assert row.loc[("a", "downloads"), "level"] == 600 and row.loc[("b", "downloads"), "level"] == 900
    assert row.loc[("a", "downloads"), "share"] == pytest.approx(0.4)
    assert row.loc[("a", "downloads"), "growth_30d"] == pytest.approx(0.0)  # 20/day, both windows
    # the last 365 days: 365 x 20; the 365 before: 35 x 20 + 330 x 10
    assert row.loc[("a", "downloads"), "growth_365d"] == pytest.approx(7300 / 4000 - 1)
    assert row.loc[("a", "stars"), "growth_90d"] == pytest.approx(1799 / 1709 - 1)
    assert row.loc[("b", "stars"), "growth_365d"] == 0.0
    assert row.loc[("a", "authors"), "growth_90d"] == pytest.approx(1.0)  # 3 months against 3
    assert pd.isna(row.loc[("a", "authors"), "growth_365d"])  # needs 24 months


def test_momentum_flags_short_and_stale_series():
    downloads = pd.concat([long("new", [5] * 20, "2024-12-12"), long("old", [5] * 200, "2024-01-01"),
                           long("full", [5] * 400, "2023-11-27")])
    out = facts.momentum({"downloads": downloads}).set_index("framework")
    assert out.loc["new", "note"] == "short" and pd.isna(out.loc["new", "level"])
    assert out.loc["old", "note"] == "stale" and pd.isna(out.loc["old", "share"])
    assert out.loc["full", "share"] == 1.0  # the only level: short and stale ones are not compared


def test_speed_against_numpy_is_a_geometric_mean_of_the_best_modes():
    rows = [("numpy", "2.0", "matmul", "m", "eager", 1.0), ("numpy", "2.0", "conv", "c", "eager", 2.0),
            ("numpy", "2.0", "import_time", "i", "-", 0.1),
            ("fw", "1.10", "matmul", "m", "eager", 0.5), ("fw", "1.10", "matmul", "m", "graph", 0.25),
            ("fw", "1.10", "conv", "c", "eager", 4.0), ("fw", "1.10", "import_time", "i", "-", 5.0),
            ("fw", "1.9", "matmul", "m", "eager", 100.0)]
    results = pd.DataFrame(rows, columns=["framework", "version", "benchmark", "case_key", "mode",
                                          "median"]).assign(started_at=pd.Timestamp("2026-01-01"))
    speed = facts.speed_vs_reference(results).set_index("framework")
    assert speed.loc["fw", "version"] == "1.10" and speed.loc["fw", "cases"] == 2
    assert speed.loc["fw", "speedup"] == pytest.approx(np.sqrt(4 * 0.5))  # 1/0.25 and 2/4


def test_facts_row_joins_every_source():
    registry = pd.DataFrame({"framework": ["a", "b"], "name": ["A", "B"], "status": ["active", "retired"],
                             "successor": [None, "a"], "deployment": [np.array(["server"]), None]})
    moves = pd.DataFrame({"framework": ["a", "b"], "signal": ["downloads", "downloads"],
                          "level": [3.0, 1.0], "growth_90d": [0.1, -0.5], "share": [0.75, 0.25]})
    health = pd.DataFrame({"framework": ["a"], "bus_factor": pd.array([1], dtype="Int64"),
                           "days_since_release": [10]})
    speed = pd.DataFrame({"framework": ["b"], "speedup": [2.0]})
    out = facts.assemble(registry, moves, health, speed, {"downloads": 1.0})
    assert out.loc["a", "deployment"] == ["server"] and out.loc["b", "deployment"] == []
    assert out.loc["a", "adoption_index"] == 0.75 and out.loc["b", "growth_90d"] == -0.5
    assert out.loc["a", "bus_factor"] == 1.0 and math.isnan(out.loc["b", "bus_factor"])
    assert out.loc["b", "speed_vs_numpy"] == 2.0 and out.loc["b", "successor"] == "a"
    assert scoring.risks(out.loc["a"]) == ["single_maintainer"]


# advisor: required targets, the composed criteria -------------------------------------------
def test_required_targets_leave_a_framework_unranked_with_the_reason():
    table = pd.DataFrame({"status": ["active", "active", "active"], "download_share": [0.2, 0.7, 0.1],
                          "deployment": [["server", "mobile"], ["server"], []]},
                         index=["small", "big", "uncurated"])
    ranked = scoring.advise(table, targets=["mobile"], required=True, min_coverage=0.3)
    assert [(a.framework, a.rank) for a in ranked] == [("small", 1), ("uncurated", 2), ("big", None)]
    assert ranked[2].missing_targets == ["mobile"] and "missing_target" in ranked[2].risks
    assert ranked[2].unranked == "targets"
    assert ranked[1].criteria["deployment"][1] is None  # not curated: unknown, not zero


def test_frameworks_with_little_evidence_are_not_ranked():
    table = pd.DataFrame({"status": ["active", "active"], "download_share": [0.9, None],
                          "growth_90d": [0.1, None], "bus_factor": [5, None]},
                         index=["known", "unknown"])
    ranked = scoring.advise(table)
    # unknown has only its lifecycle (outlook, 15 % of the weight): a perfect partial score
    assert ranked[1].framework == "unknown" and ranked[1].score == 100.0
    assert ranked[1].rank is None and ranked[1].unranked == "evidence"
    assert ranked[0].rank == 1 and ranked[0].coverage == pytest.approx(0.7)
    assert [a.rank for a in scoring.advise(table, min_coverage=0.1)] == [1, 2]


def test_community_stability_and_momentum_criteria_by_hand():
    table = pd.DataFrame({
        "status": ["active", "active"], "close_time_ratio": [1.0, 2.0], "bus_factor": [5, 1],
        "active_authors": [50, 10], "breaking_per_release": [0.0, 2.0], "cadence_ratio": [3.0, 1.0],
        "growth_90d": [0.1, 0.3], "stars_growth_90d": [0.2, 0.1]}, index=["x", "y"])
    out = {a.framework: a for a in scoring.advise(table)}
    # x: close 1, bus 1, authors 1 -> 1; y: close 0.5, bus 0.2, authors 0 -> 0.7 / 3
    assert out["x"].criteria["community"][1] == 1.0
    assert out["y"].criteria["community"][1] == pytest.approx(0.7 / 3)
    # stability: breaking (fewest 1) and cadence rule (3x slower 0): x (1 + 0) / 2, y (0 + 1) / 2
    assert out["x"].criteria["stability"][1] == 0.5 and out["y"].criteria["stability"][1] == 0.5
    # momentum: downloads x 0, y 1; stars x 1, y 0: both 0.5
    assert out["x"].criteria["momentum"][1] == 0.5 == out["y"].criteria["momentum"][1]
    assert out["y"].criteria["community"][0] == {"close_time_ratio": 2.0, "bus_factor": 1,
                                                 "active_authors": 10}


# changes: findings in one table ----------------------------------------------------------------
def test_a_steady_trend_is_not_a_level_shift_but_a_jump_on_it_is():
    rng = np.random.default_rng(3)
    trend = 1000 * 1.01 ** np.arange(150) * np.exp(rng.normal(0, 0.02, 150))  # +1 % a week
    assert changes.level_shifts(weeks_of(trend)).empty
    assert changes.findings(weeks_of(trend), pd.DataFrame(columns=["date", "label"])).empty
    jumped = trend * np.where(np.arange(150) >= 90, 1.6, 1.0)
    shifts = changes.level_shifts(weeks_of(jumped))
    assert shifts["week"].tolist() == [weeks_of(jumped)["week"].iloc[90]]
    assert shifts["change"].iloc[0] == pytest.approx(0.6, abs=0.05)  # beyond the trend
    found = changes.findings(weeks_of(jumped), pd.DataFrame(columns=["date", "label"]))
    assert found["kind"].tolist() == ["level_shift"]  # the weeks after it are not spikes


def test_findings_combine_anomalies_and_shifts_with_their_events():
    values = [100 + (i % 3) for i in range(20)] + [200 + (i % 3) for i in range(20)]
    values[30] = 900
    weeks = weeks_of(values)
    events = pd.DataFrame({"date": [weeks["week"].iloc[20] + pd.Timedelta(days=3)],
                           "label": ["fw 2.0"]})
    found = changes.findings(weeks, events)
    assert found["kind"].tolist() == ["spike", "level_shift"]  # newest first
    spike, shift = found.iloc[0], found.iloc[1]
    assert spike["value"] == 900 and spike["before"] == pytest.approx(201, rel=0.01)
    assert spike["event"] is None
    assert shift["event"] == "fw 2.0" and shift["event_days"] == 3
    assert shift["change"] == pytest.approx(1.0, rel=0.05)
