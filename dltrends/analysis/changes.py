"""Change points and anomalies on weekly adoption series, annotated with the nearest event.

Anomalies (spikes and drops): a week whose log value lies more than `threshold` robust standard
deviations (1.4826 x MAD) from the median of the `window` weeks before it.
Level shifts: binary segmentation of the log series: the split that most reduces the squared error
is kept when the reduction exceeds a BIC-style penalty (2 x noise variance x ln n) and both sides
hold at least `min_size` weeks; then each side is searched again.
Each finding is annotated with the nearest release or lifecycle event within `max_days`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAD_TO_SIGMA = 1.4826


def anomalies(weeks: pd.DataFrame, window: int = 8, threshold: float = 3.5) -> pd.DataFrame:
    """Rows (week, value, kind, score) for spikes and drops; `weeks` has columns week, value."""
    data = weeks.dropna(subset=["value"])
    data = data[data["value"] > 0].reset_index(drop=True)
    logs = np.log(data["value"].to_numpy())
    rows = []
    for i in range(window, len(logs)):
        past = logs[i - window:i]
        mad = np.median(np.abs(past - np.median(past))) * MAD_TO_SIGMA
        if mad == 0:
            continue
        score = (logs[i] - np.median(past)) / mad
        if abs(score) >= threshold:
            rows.append((data["week"].iloc[i], data["value"].iloc[i],
                         "spike" if score > 0 else "drop", round(float(score), 2)))
    return pd.DataFrame(rows, columns=["week", "value", "kind", "score"])


def level_shifts(weeks: pd.DataFrame, min_size: int = 6) -> pd.DataFrame:
    """Rows (week, before, after, change) where the series' level shifts; before/after are the
    geometric means of the segments on either side, change the relative difference."""
    data = weeks.dropna(subset=["value"])
    data = data[data["value"] > 0].reset_index(drop=True)
    logs = np.log(data["value"].to_numpy())
    if len(logs) < 2 * min_size:
        return pd.DataFrame(columns=["week", "before", "after", "change"])
    noise = np.median(np.abs(np.diff(logs))) * MAD_TO_SIGMA / np.sqrt(2) or 1e-9
    penalty = 2 * noise ** 2 * np.log(len(logs))
    splits = sorted(_segment(logs, 0, len(logs), min_size, penalty))
    bounds = [0, *splits, len(logs)]
    rows = []
    for k, split in enumerate(splits):
        before = float(np.exp(logs[bounds[k]:split].mean()))
        after = float(np.exp(logs[split:bounds[k + 2]].mean()))
        rows.append((data["week"].iloc[split], before, after, after / before - 1))
    return pd.DataFrame(rows, columns=["week", "before", "after", "change"])


def _segment(logs: np.ndarray, lo: int, hi: int, min_size: int, penalty: float) -> list[int]:
    seg = logs[lo:hi]
    if len(seg) < 2 * min_size:
        return []
    total = ((seg - seg.mean()) ** 2).sum()
    best, at = 0.0, None
    for split in range(min_size, len(seg) - min_size + 1):
        left, right = seg[:split], seg[split:]
        gain = total - ((left - left.mean()) ** 2).sum() - ((right - right.mean()) ** 2).sum()
        if gain > best:
            best, at = gain, split
    if at is None or best <= penalty:
        return []
    return [*_segment(logs, lo, lo + at, min_size, penalty), lo + at,
            *_segment(logs, lo + at, hi, min_size, penalty)]


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
    anomaly's value against the median of the weeks before it, or the shift's after / before)."""
    spikes = anomalies(weeks)
    if not spikes.empty:
        medians = _trailing_medians(weeks)
        spikes = spikes.assign(before=spikes["week"].map(medians), after=spikes["value"])
        spikes["change"] = spikes["after"] / spikes["before"] - 1
    shifts = level_shifts(weeks).assign(kind="level_shift", value=np.nan, score=np.nan)
    parts = [p for p in (spikes, shifts) if not p.empty]
    if not parts:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    found = pd.concat(parts, ignore_index=True).sort_values("week", ascending=False)
    return annotate(found.reset_index(drop=True), events, max_days)[FINDING_COLUMNS]


def _trailing_medians(weeks: pd.DataFrame, window: int = 8) -> dict:
    """week -> median of the `window` positive weeks before it (what an anomaly is measured
    against)."""
    data = weeks.dropna(subset=["value"])
    data = data[data["value"] > 0].reset_index(drop=True)
    values = data["value"].to_numpy()
    return {data["week"].iloc[i]: float(np.exp(np.median(np.log(values[i - window:i]))))
            for i in range(window, len(values))}
