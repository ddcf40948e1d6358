"""Analysis functions on small fixed data sets with hand-checked answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dltrends.analysis import changes, forecast, scoring, series


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
    with_cost = scoring.advise(facts, targets=["mobile"], current="jax", switching_bonus=0.5)
    assert with_cost[0].framework == "jax"


def test_advisor_weights_change_the_ranking():
    facts = pd.DataFrame({"status": ["active", "active"], "download_share": [0.9, 0.1],
                          "growth_90d": [0.0, 1.0]}, index=["big", "rising"])
    by_adoption = scoring.advise(facts, weights={"adoption": 1.0, "momentum": 0.1})
    by_momentum = scoring.advise(facts, weights={"adoption": 0.1, "momentum": 1.0})
    assert by_adoption[0].framework == "big" and by_momentum[0].framework == "rising"
