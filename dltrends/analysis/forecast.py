"""Forecasts 90 days ahead with prediction intervals, and their backtest error.

Method (docs/methods.md): weekly values (flows summed per week, stocks taken at the week's
end) over the last `history` weeks; an ordinary least-squares trend, on the logarithm for flows
(downloads grow multiplicatively) and on the value itself for stocks (cumulative stars grow close to
linearly); prediction intervals from the classical OLS formula
    se(x0) = s * sqrt(1 + 1/n + (x0 - mean(x))^2 / Sxx)
with normal quantiles (80 % and 95 %), back-transformed for flows. Backtest: from three origins
13, 26 and 39 weeks before the end, fit on what came before and forecast the next 13 weeks; report
the mean absolute percentage error (MAPE) and how often the 80 % interval held the real value.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from dltrends.analysis.series import weekly

HORIZON_WEEKS = 13  # about 90 days
MIN_WEEKS = 12
Z80, Z95 = NormalDist().inv_cdf(0.9), NormalDist().inv_cdf(0.975)


@dataclass(frozen=True)
class Backtest:
    mape: float  # mean absolute percentage error over all backtest points (0.12 = 12 %)
    coverage80: float  # share of backtest points inside their 80 % interval
    points: int
    origins: int


def fit(values: np.ndarray, log: bool) -> tuple[float, float, float, int, float, float]:
    """OLS of y (or log y) on 0..n-1: intercept, slope, residual s, n, mean(x), Sxx."""
    y = np.log(values) if log else values.astype(float)
    x = np.arange(len(y), dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    dof = max(len(y) - 2, 1)
    s = float(np.sqrt((resid ** 2).sum() / dof))
    return intercept, slope, s, len(y), float(x.mean()), float(((x - x.mean()) ** 2).sum())


def project(values: np.ndarray, horizon: int, log: bool) -> pd.DataFrame:
    """Mean and 80/95 % intervals for the `horizon` steps after `values`."""
    intercept, slope, s, n, xbar, sxx = fit(values, log)
    x0 = np.arange(n, n + horizon, dtype=float)
    mean = intercept + slope * x0
    se = s * np.sqrt(1 + 1 / n + (x0 - xbar) ** 2 / sxx)
    cols = {"mean": mean, "lo80": mean - Z80 * se, "hi80": mean + Z80 * se,
            "lo95": mean - Z95 * se, "hi95": mean + Z95 * se}
    out = pd.DataFrame({k: np.exp(v) if log else v for k, v in cols.items()})
    if not log:  # a cumulative count cannot fall below its last value
        out = out.clip(lower=float(values[-1]))
    return out


def forecast(daily: pd.DataFrame, kind: str = "flow", history: int = 104,
             horizon: int = HORIZON_WEEKS, date: str = "date", value: str = "value"
             ) -> pd.DataFrame | None:
    """Weekly forecast rows (week, mean, lo80, hi80, lo95, hi95); None with too little data."""
    return forecast_weeks(_clean_weeks(daily, kind, date, value), kind, history, horizon)


def forecast_weeks(weeks: pd.DataFrame, kind: str = "flow", history: int = 104,
                   horizon: int = HORIZON_WEEKS) -> pd.DataFrame | None:
    """`forecast` from already cleaned weeks (columns week, value)."""
    weeks = weeks.tail(history)
    if len(weeks) < MIN_WEEKS:
        return None
    out = project(weeks["value"].to_numpy(), horizon, log=kind == "flow")
    last = weeks["week"].iloc[-1]
    out.insert(0, "week", [last + pd.Timedelta(weeks=i + 1) for i in range(horizon)])
    return out


def backtest(daily: pd.DataFrame, kind: str = "flow", history: int = 104,
             horizon: int = HORIZON_WEEKS, date: str = "date", value: str = "value"
             ) -> Backtest | None:
    """Error of the same method from three past origins; None when history is too short."""
    return backtest_weeks(_clean_weeks(daily, kind, date, value), kind, history, horizon)


def backtest_weeks(weeks: pd.DataFrame, kind: str = "flow", history: int = 104,
                   horizon: int = HORIZON_WEEKS) -> Backtest | None:
    """`backtest` from already cleaned weeks (columns week, value)."""
    values = weeks["value"].to_numpy()
    errors, inside, origins = [], [], 0
    for back in (horizon, 2 * horizon, 3 * horizon):
        train, test = values[: len(values) - back][-history:], values[len(values) - back:][:horizon]
        if len(train) < MIN_WEEKS or len(test) < horizon:
            continue
        predicted = project(train, horizon, log=kind == "flow")
        errors += list(np.abs(predicted["mean"].to_numpy() - test) / np.abs(test))
        slack = 1e-9 * np.abs(test)  # an exact fit has a zero-width interval
        inside += list((test >= predicted["lo80"] - slack) & (test <= predicted["hi80"] + slack))
        origins += 1
    if not origins:
        return None
    return Backtest(float(np.mean(errors)), float(np.mean(inside)), len(errors), origins)


def _clean_weeks(daily: pd.DataFrame, kind: str, date: str, value: str) -> pd.DataFrame:
    return clean(weekly(daily, date, value, kind), kind)


def clean(weeks: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Positive weekly values (series.weekly's rows); gaps dropped, not filled. A flow keeps
    complete weeks only (a partial week's sum is not comparable); a stock drops only a partial
    week at the end."""
    weeks = weeks.dropna(subset=["value"])
    if kind == "flow":
        weeks = weeks[weeks["days"] == 7]
    elif len(weeks) and weeks["days"].iloc[-1] < 7:
        weeks = weeks.iloc[:-1]
    return weeks[weeks["value"] > 0].reset_index(drop=True)
