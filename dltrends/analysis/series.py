"""Shaping time series: daily values to weekly totals, growth over windows, shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

WINDOWS = (30, 90, 365)


def weekly(frame: pd.DataFrame, date: str = "date", value: str = "value",
           kind: str = "flow") -> pd.DataFrame:
    """Daily rows -> weeks starting Monday (UTC): sum for a flow, last value for a stock.

    A week with no rows at all is a gap (NaN), never a zero.
    """
    if frame.empty:
        return pd.DataFrame(columns=["week", "value", "days"])
    days = frame[[date, value]].dropna().copy()
    days[date] = pd.to_datetime(days[date], utc=True).dt.normalize()
    days["week"] = days[date] - pd.to_timedelta(days[date].dt.day_of_week, unit="D")
    grouped = days.sort_values(date).groupby("week")
    out = pd.DataFrame({
        "value": grouped[value].sum() if kind == "flow" else grouped[value].last(),
        "days": grouped[date].nunique(),
    })
    full = pd.date_range(out.index.min(), out.index.max(), freq="7D", tz="UTC")
    return out.reindex(full).rename_axis("week").reset_index()


def growth(frame: pd.DataFrame, days: int, date: str = "date", value: str = "value",
           kind: str = "flow", now: pd.Timestamp | None = None) -> float | None:
    """Relative change over the last `days`; None when the series does not cover the window.

    flow (downloads per day): sum of the last window / sum of the window before - 1.
    stock (cumulative stars): value now / value `days` ago - 1.
    """
    if frame.empty:
        return None
    data = frame[[date, value]].dropna()
    # integer nanoseconds (UTC): comparisons on plain arrays, no Timestamp objects per row
    t = pd.DatetimeIndex(pd.to_datetime(data[date], utc=True)).as_unit("ns").asi8
    order = np.argsort(t, kind="stable")
    t, v = t[order], data[value].to_numpy(dtype=float)[order]
    if not len(v):
        return None
    day = 86_400 * 10**9
    now = pd.Timestamp(now).as_unit("ns").value if now is not None else t[-1]
    start = now - days * day
    first_needed = start - (days - 1) * day if kind == "flow" else start
    if t[0] > first_needed:
        return None
    if kind == "flow":
        recent = v[(t > start) & (t <= now)].sum()
        before = v[(t > start - days * day) & (t <= start)].sum()
    else:
        recent = v[np.searchsorted(t, now, side="right") - 1]
        before = v[np.searchsorted(t, start, side="right") - 1]
    return None if before == 0 else float(recent / before - 1)


def shares(frame: pd.DataFrame, key: str = "framework", value: str = "value") -> pd.Series:
    """Each key's share of the total (0..1); keys with no value are left out, not zeroed."""
    values = frame.dropna(subset=[value]).groupby(key)[value].sum()
    total = values.sum()
    return values / total if total else values * np.nan


def period_growth(frame: pd.DataFrame, periods: int, date: str = "date", value: str = "value"
                  ) -> float | None:
    """Growth of a monthly series: mean of the last `periods` months / mean of the `periods`
    months before - 1. None unless those 2 x `periods` months are all present and consecutive
    (a gap is not read as a zero)."""
    data = frame[[date, value]].dropna().copy()
    if len(data) < 2 * periods:
        return None
    data[date] = pd.to_datetime(data[date], utc=True)
    data = data.sort_values(date).tail(2 * periods)
    months = data[date].dt.year * 12 + data[date].dt.month
    if (months.diff().dropna() != 1).any():
        return None
    before, recent = data[value].iloc[:periods].mean(), data[value].iloc[periods:].mean()
    return None if before == 0 else float(recent / before - 1)


def adoption_index(shares: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Weighted mean of each framework's shares, one column per signal (0..1; NaN = no data).

    A signal without data for a framework leaves the mean (its weight is renormalised over the
    signals that have data) and `coverage` says how much of the weight had data. Returns columns
    `index` (0..1) and `coverage` (0..1), indexed like `shares`.
    """
    used = {s: w for s, w in weights.items() if w > 0 and s in shares}
    total = sum(used.values())
    if not used:
        return pd.DataFrame({"index": np.nan, "coverage": 0.0}, index=shares.index)
    values = shares[list(used)]
    w = pd.Series(used)
    have = values.notna()
    weight_with_data = have.mul(w).sum(axis=1)
    weighted = values.fillna(0).mul(w).sum(axis=1)
    index = (weighted / weight_with_data).where(weight_with_data > 0)
    return pd.DataFrame({"index": index, "coverage": weight_with_data / total})


def age_aligned(frame: pd.DataFrame, origins: dict[str, pd.Timestamp], key: str = "framework",
                date: str = "date") -> pd.DataFrame:
    """Add `age_years`: years (365.25 days) from each key's origin (its first release) to `date`.
    Rows of a key without an origin are dropped: they cannot be placed on that axis."""
    out = frame[frame[key].isin(list(origins))].copy()
    start = pd.to_datetime(out[key].map(origins), utc=True)
    out["age_years"] = (pd.to_datetime(out[date], utc=True) - start).dt.days / 365.25
    return out
