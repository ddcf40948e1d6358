"""From public-view rows to per-framework facts: momentum and share per signal, the speed on the
benchmark suite, and the one facts row per framework that `scoring.health` and `scoring.advise`
take.

Signals (each a long frame with columns framework, date, value):
- downloads: PyPI downloads per day (a flow); level = the last 30 days' sum.
- stars: cumulative GitHub stars per day (a stock); level = the latest count.
- authors: active commit authors per ended month (a monthly flow); level = the latest month.
- hub_models: models on the Hugging Face Hub per daily snapshot (a stock); level = the latest.

Growth over 30 / 90 / 365 days follows `series.growth` (flows: window sum against the window
before; stocks: value now against `days` ago); for monthly authors 1 / 3 / 12 months against the
same number before (`series.period_growth`). A series that does not cover a window gets no growth
for it; one that ends well before the other frameworks' series (stale) gets no level, no growth
and no share. Shares are each level against the sum of the levels of the frameworks that have one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from packaging.version import InvalidVersion, Version

from dltrends.analysis import series

SIGNALS = ("downloads", "stars", "authors", "hub_models")
KIND = {"downloads": "flow", "stars": "stock", "authors": "monthly", "hub_models": "stock"}
MONTHS = {30: 1, 90: 3, 365: 12}
STALE_DAYS = {"flow": 7, "stock": 7, "monthly": 62}  # behind the newest series: left out
LEVEL_DAYS = 30
INDEX_WEIGHTS = {"downloads": 0.4, "stars": 0.2, "authors": 0.2, "hub_models": 0.2}
MOMENTUM_COLUMNS = ["framework", "signal", "level", "growth_30d", "growth_90d", "growth_365d",
                    "share", "as_of", "note"]
REFERENCE = "numpy"


def momentum(signals: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per framework and signal with data: level, growth_30d/90d/365d, share, as_of, and
    note ("short": not enough history for the level; "stale": the series stopped early)."""
    rows = []
    for signal, frame in signals.items():
        if frame is None or frame.empty:
            continue
        kind = KIND[signal]
        data = frame.dropna(subset=["value"]).assign(date=lambda f: pd.to_datetime(f["date"], utc=True))
        newest = data["date"].max()
        for fid, one in data.groupby("framework", sort=False):
            rows.append(_signal_row(fid, signal, kind, one, newest))
    out = pd.DataFrame(rows, columns=MOMENTUM_COLUMNS)
    if out.empty:
        return out
    totals = out.groupby("signal")["level"].transform(lambda s: s.sum(min_count=1))
    out["share"] = out["level"] / totals
    return out


def _signal_row(fid: str, signal: str, kind: str, one: pd.DataFrame, newest: pd.Timestamp) -> list:
    last = one["date"].max()
    if (newest - last).days > STALE_DAYS[kind]:
        return [fid, signal, None, None, None, None, None, last, "stale"]
    level, note = _level(one, kind, last)
    growth = [_growth(one, kind, days) for days in (30, 90, 365)]
    return [fid, signal, level, *growth, None, last, note]


def _level(one: pd.DataFrame, kind: str, last: pd.Timestamp) -> tuple[float | None, str | None]:
    if kind != "flow":
        return float(one.sort_values("date")["value"].iloc[-1]), None
    start = last - pd.Timedelta(days=LEVEL_DAYS)
    window = one[one["date"] > start]
    if one["date"].min() > start + pd.Timedelta(days=1) or window["date"].nunique() < LEVEL_DAYS:
        return None, "short"  # a partial 30-day sum is not a 30-day level
    return float(window["value"].sum()), None


def _growth(one: pd.DataFrame, kind: str, days: int) -> float | None:
    if kind == "monthly":
        return series.period_growth(one, MONTHS[days])
    return series.growth(one, days, kind=kind)


def shares_wide(momentum_rows: pd.DataFrame) -> pd.DataFrame:
    """framework x signal table of shares (NaN where a framework has no level for a signal)."""
    if momentum_rows.empty:
        return pd.DataFrame(columns=list(SIGNALS))
    wide = momentum_rows.pivot_table(index="framework", columns="signal", values="share",
                                     aggfunc="first", dropna=False)
    return wide.reindex(columns=list(SIGNALS))


def speed_vs_reference(results: pd.DataFrame) -> pd.DataFrame:
    """Per framework on one machine: its highest measured version's speed-up over the NumPy
    reference, the geometric mean over the compute cases both ran (import time left out) of
    NumPy's median / the framework's fastest mode's median. Columns framework, version, speedup,
    cases."""
    ok = results[(results["benchmark"] != "import_time") & results["median"].notna()]
    reference = ok[ok["framework"] == REFERENCE].sort_values("started_at")
    ref = reference.groupby("case_key")["median"].last()
    rows = []
    for fid, group in ok[ok["framework"] != REFERENCE].groupby("framework"):
        top = max(group["version"].unique(), key=_version_key)
        latest = group[group["version"] == top].sort_values("started_at")
        best = latest.groupby(["case_key", "mode"])["median"].last().groupby("case_key").min()
        ratios = (ref.reindex(best.index) / best).dropna()
        if len(ratios):
            rows.append((fid, top, float(np.exp(np.log(ratios).mean())), len(ratios)))
    return pd.DataFrame(rows, columns=["framework", "version", "speedup", "cases"])


def _version_key(text: str) -> tuple:
    try:
        return (1, Version(text))
    except InvalidVersion:
        return (0, Version("0"))


def assemble(frameworks: pd.DataFrame, momentum_rows: pd.DataFrame, health: pd.DataFrame,
             speed: pd.DataFrame, index_weights: dict[str, float] | None = None) -> pd.DataFrame:
    """The facts row per framework (indexed by framework id) that scoring takes."""
    facts = frameworks.set_index("framework")[["name", "status", "successor", "deployment"]].copy()
    facts["deployment"] = facts["deployment"].map(as_list)
    wide = shares_wide(momentum_rows)
    for signal in SIGNALS:
        facts[f"{signal}_share"] = wide[signal].reindex(facts.index) if signal in wide else np.nan
    index = series.adoption_index(wide, index_weights or INDEX_WEIGHTS)
    facts["adoption_index"] = index["index"].reindex(facts.index)
    facts["adoption_coverage"] = index["coverage"].reindex(facts.index).fillna(0.0)
    for signal in SIGNALS:
        rows = momentum_rows[momentum_rows["signal"] == signal].set_index("framework")
        column = "growth_90d" if signal == "downloads" else f"{signal}_growth_90d"
        facts[column] = rows["growth_90d"].reindex(facts.index).astype(float) if len(rows) else np.nan
    health_columns = ["days_since_release", "cadence_ratio", "close_time_ratio", "bus_factor",
                      "open_vulnerabilities", "active_authors", "breaking_per_release",
                      "latest_release", "last_event_kind", "last_event_date"]
    by_fw = health.set_index("framework") if not health.empty else pd.DataFrame()
    for column in health_columns:
        facts[column] = by_fw[column].reindex(facts.index) if column in by_fw else np.nan
    speeds = speed.set_index("framework") if not speed.empty else pd.DataFrame()
    facts["speed_vs_numpy"] = speeds["speedup"].reindex(facts.index) if len(speeds) else np.nan
    return _plain_missing(facts)


def as_list(value: object) -> list[str]:
    """A DuckDB list column's value (a numpy array, a list or NULL) as a list of strings."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [str(v) for v in value]


def _plain_missing(facts: pd.DataFrame) -> pd.DataFrame:
    """pd.NA (nullable integers from DuckDB) as NaN, so every rule reads one kind of missing."""
    text = {"name", "status", "successor", "deployment", "latest_release", "last_event_kind",
            "last_event_date"}
    for column in facts.columns:
        if column not in text:
            facts[column] = pd.to_numeric(facts[column], errors="coerce").astype(float)
    for column in ("status", "successor", "latest_release", "last_event_kind"):
        facts[column] = facts[column].astype(object).where(facts[column].notna(), None)
    return facts
