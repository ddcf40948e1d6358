"""Change points and anomalies on weekly adoption series, annotated with the nearest event.

Anomalies (spikes and drops): each week's log value minus the median of the `window` weeks before
it is its residual; a week is a spike or drop when its residual lies more than `threshold` robust
standard deviations (1.4826 x MAD) from the median residual of the series and the week is at least
`min_change` (15 %) off what was expected. Measuring against the
series' residuals (not the 8 weeks' own spread) keeps the scale stable, and their median takes
out the constant lag a steady trend puts between a week and the weeks before it.
Level shifts: abrupt jumps against the local trend. On the log series smoothed by a running
median of 3 weeks (a one-week spike is not a new level), the mean of the `min_size` weeks from a
week on minus the mean of the `min_size` weeks before it, less the local trend over that distance
(the median week-to-week change around it), is the jump; it counts when it exceeds `threshold`
standard errors of the week-to-week noise (1.4826 x MAD of the differences / sqrt 2) and changes
the level by at least `min_change`; of jumps closer than `min_size` weeks the largest is kept. A
steady trend, however steep, is not a shift. `findings` scores anomalies only against the weeks
before them on the same level, so the weeks after a shift are not reported as spikes.
Each finding is annotated with the nearest release or lifecycle event within `max_days`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAD_TO_SIGMA = 1.4826


def anomalies(weeks: pd.DataFrame, window: int = 8, threshold: float = 3.5,
              min_change: float = 0.15) -> pd.DataFrame:
    """Rows (week, value, kind, score, expected) for spikes and drops; `weeks` has columns week,
    value; `expected` is the value the weeks before predicted, `score` the robust z-score. A week
    within `min_change` of its expected value is not reported, however quiet the series."""
    data = weeks.dropna(subset=["value"])
    data = data[data["value"] > 0].reset_index(drop=True)
    logs = np.log(data["value"].to_numpy(dtype=float))
    columns = ["week", "value", "kind", "score", "expected"]
    if len(logs) <= window:
        return pd.DataFrame(columns=columns)
    past = np.lib.stride_tricks.sliding_window_view(logs[:-1], window)
    predicted = np.median(past, axis=1)
    residuals = logs[window:] - predicted
    center = np.median(residuals)
    spread = np.median(np.abs(residuals - center)) * MAD_TO_SIGMA
    if spread == 0:
        return pd.DataFrame(columns=columns)
    scores = (residuals - center) / spread
    rows = [(data["week"].iloc[i + window], data["value"].iloc[i + window],
             "spike" if scores[i] > 0 else "drop", round(float(scores[i]), 2),
             float(np.exp(predicted[i] + center)))
            for i in np.flatnonzero((np.abs(scores) >= threshold)
                                    & (np.abs(np.expm1(residuals - center)) >= min_change))]
    return pd.DataFrame(rows, columns=columns)


def _noise(logs: np.ndarray) -> float:
    """Week-to-week noise (standard deviation) of a log series, robust to its spikes and steps."""
    if len(logs) < 3:
        return 0.0
    return float(np.median(np.abs(np.diff(logs))) * MAD_TO_SIGMA / np.sqrt(2))


def level_shifts(weeks: pd.DataFrame, min_size: int = 6, threshold: float = 4.0,
                 min_change: float = 0.15) -> pd.DataFrame:
    """Rows (week, before, after, change) where the level jumps: `week` is the first week on the
    new level, before/after the medians of the `min_size` weeks on either side, change the jump
    beyond the local trend (0.6 = 60 % higher than the trend predicts)."""
    data = weeks.dropna(subset=["value"])
    data = data[data["value"] > 0].reset_index(drop=True)
    logs = np.log(data["value"].to_numpy(dtype=float))
    n, m = len(logs), min_size
    if n < 2 * m:
        return pd.DataFrame(columns=["week", "before", "after", "change"])
    noise = _noise(logs) or 1e-9
    smooth = _median3(logs)
    sums = np.concatenate([[0.0], np.cumsum(smooth)])
    at = np.arange(m, n - m + 1)
    before, after = (sums[at] - sums[at - m]) / m, (sums[at + m] - sums[at]) / m
    slopes = np.median(np.lib.stride_tricks.sliding_window_view(np.diff(smooth), 2 * m - 1), axis=1)
    jumps = after - before - slopes * m
    z = jumps / (noise * np.sqrt(2 / m))
    found = (np.abs(z) >= threshold) & (np.abs(np.expm1(jumps)) >= min_change)
    kept: list[int] = []
    for i in sorted(np.flatnonzero(found), key=lambda i: -abs(z[i])):
        if all(abs(at[i] - at[j]) >= m for j in kept):
            kept.append(i)
    rows = [(data["week"].iloc[at[i]], float(np.exp(np.median(logs[at[i] - m:at[i]]))),
             float(np.exp(np.median(logs[at[i]:at[i] + m]))), float(np.expm1(jumps[i])))
            for i in sorted(kept)]
    return pd.DataFrame(rows, columns=["week", "before", "after", "change"])


def _median3(logs: np.ndarray) -> np.ndarray:
    """Running median of 3 (the ends kept): removes one-week spikes, keeps steps."""
    out = logs.copy()
    out[1:-1] = np.median(np.stack([logs[:-2], logs[1:-1], logs[2:]]), axis=0)
    return out


def annotate(findings: pd.DataFrame, events: pd.DataFrame, max_days: int = 21,
             at: str = "week") -> pd.DataFrame:
    """Add `event` and `event_days` (event date minus finding date) for the nearest event.

    `events` has columns date and label (releases and lifecycle events); a finding with no event
    within `max_days` keeps NULLs: no cause is invented.
    """
    out = findings.copy()
    out["event"], out["event_days"] = None, None
    if out.empty or events.empty:
        return out
    dates = pd.to_datetime(events["date"], utc=True)
    for i, when in enumerate(pd.to_datetime(out[at], utc=True)):
        gaps = (dates - when).dt.days
        nearest = gaps.abs().idxmin()
        if abs(gaps[nearest]) <= max_days:
            out.loc[out.index[i], ["event", "event_days"]] = [events.loc[nearest, "label"],
                                                              int(gaps[nearest])]
    return out


FINDING_COLUMNS = ["week", "kind", "value", "before", "after", "change", "score", "event",
                   "event_days"]


def findings(weeks: pd.DataFrame, events: pd.DataFrame, max_days: int = 21) -> pd.DataFrame:
    """Spikes, drops and level shifts of one weekly series in one table, newest first, each with
    the nearest event within `max_days` (columns FINDING_COLUMNS; `change` is relative: the
    anomaly's value against what the weeks before predicted, or the shift's jump beyond the trend).
    Anomalies are scored within each level: a week is compared with the weeks before it since
    the last shift."""
    data = weeks.dropna(subset=["value"])
    data = data[data["value"] > 0].reset_index(drop=True)
    shifts = level_shifts(data).assign(kind="level_shift", value=np.nan, score=np.nan)
    bounds = [data["week"].min(), *shifts["week"], data["week"].max() + pd.Timedelta(days=1)]
    levels = [data[(data["week"] >= lo) & (data["week"] < hi)] for lo, hi in zip(bounds, bounds[1:],
                                                                                  strict=False)]
    spikes = pd.concat([anomalies(level) for level in levels if len(level)], ignore_index=True) \
        if len(data) else pd.DataFrame()
    if not spikes.empty:
        spikes = spikes.assign(before=spikes["expected"], after=spikes["value"])
        spikes["change"] = spikes["after"] / spikes["before"] - 1
    parts = [p for p in (spikes, shifts) if not p.empty]
    if not parts:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    found = pd.concat(parts, ignore_index=True).sort_values("week", ascending=False)
    return annotate(found.reset_index(drop=True), events, max_days)[FINDING_COLUMNS]
