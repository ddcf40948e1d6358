"""The analysis (dltrends.analysis) on the published warehouse, for the Overview, Compare,
Framework and Advisor pages.

Each function reads public views through `dashboard.queries` and `db.run`, computes with the
tested pure functions of `dltrends.analysis`, and is cached per published file: a publish changes
the key, `DLTRENDS_DASHBOARD_CACHE_TTL` bounds the age, and a TTL of 0 turns caching off (the
baseline perf/pages.py measures against). Each signal is read once for every framework and
sliced per page, so a filter change computes little and asks the warehouse for nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import db
from dashboard.queries import Queries, Query, compare, shared
from dashboard.queries import framework as framework_queries
from dltrends.analysis import changes, facts, forecast, scoring, series
from warehouse.catalogue import command_for

FORECAST_SIGNALS = {"downloads": "flow", "stars": "stock"}
COMMANDS = {
    "downloads": command_for("framework_downloads_daily"),
    "stars": command_for("star_history"),
    "authors": command_for("community_monthly"),
    "hub_models": command_for("hub_models_daily"),
    "questions": command_for("stackoverflow_tags_daily"),
    "npm": command_for("npm_downloads_daily"),
    "conda": command_for("conda_downloads_monthly"),
    "share": command_for("adoption_share"),
    "releases": command_for("releases"),
    "health": command_for("framework_health"),
    "bench": command_for("benchmark_results"),
    "osv": command_for("latest_release_vulnerabilities"),
}  # the command that fills each signal's panels (from the view catalogue), on every page
CHANGE_DAYS = 7  # "what changed" on the Overview: the last week
SOURCES = {"downloads": "downloads", "stars": "github-history", "authors": "github-history",
           "hub_models": "hf", "questions": "stackoverflow", "npm": "npm", "conda": "conda",
           "share": "downloads"}


def cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Cache `fn(*args)` per published file (see the module docstring); `fn` takes hashable args.
    Each function gets its own st.cache_data, named after it, with the TTL of the settings."""
    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        key = db.token()
        if key is None or not db.caching():
            return fn(*args)
        return _cache_of(fn)(key, *args)

    return wrapper


@st.cache_resource(show_spinner=False)
def _caches() -> dict[str, Callable[..., Any]]:
    return {}


def _cache_of(fn: Callable[..., Any]) -> Callable[..., Any]:
    store = _caches()
    if fn.__qualname__ not in store:
        def keyed(_key: tuple[str, int], *args: Any) -> Any:
            return fn(*args)

        keyed.__qualname__ = keyed.__name__ = f"insight_{fn.__qualname__}"
        keyed.__module__ = fn.__module__
        store[fn.__qualname__] = st.cache_data(ttl=db.settings().dashboard_cache_ttl,
                                               show_spinner=False, max_entries=256)(keyed)
    return store[fn.__qualname__]


# Registry and series --------------------------------------------------------------------------

def registry() -> pd.DataFrame:  # db.run caches it per published file
    return db.run(shared.insight_frameworks())


def names() -> dict[str, str]:
    frame = registry()
    return dict(zip(frame["framework"], frame["name"], strict=True)) if not frame.empty else {}


def signal_query(signal: str, frameworks: list[str] | None = None) -> Query:
    """The query behind one signal's series (framework, date, value), every framework by default."""
    if signal == "downloads":
        return shared.downloads_series(frameworks, None)
    return {
        "stars": shared.stars_series, "authors": shared.authors_series,
        "hub_models": shared.hub_series, "questions": shared.questions_series,
        "npm": shared.npm_series, "conda": shared.conda_series, "share": shared.share_series,
    }[signal](frameworks)


@cached
def all_series(signal: str) -> pd.DataFrame:
    """One signal's long series (framework, date, value) for every framework, read once per
    publish; pages slice it (`signal_series`) instead of asking the warehouse again."""
    frame = db.run(signal_query(signal))
    if frame.empty:
        return pd.DataFrame(columns=["framework", "date", "value"])
    return frame[["framework", "date", "value"]].assign(date=pd.to_datetime(frame["date"], utc=True))


def signal_series(signal: str, frameworks: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A signal's series, of the given frameworks only when named."""
    frame = all_series(signal)
    return frame if frameworks is None else frame[frame["framework"].isin(frameworks)]


# Momentum, health, facts ---------------------------------------------------------------------

def momentum_queries() -> Queries:
    return Queries(tuple(signal_query(s) for s in facts.SIGNALS))


@cached
def momentum() -> pd.DataFrame:
    """facts.momentum over every framework and signal."""
    return facts.momentum({s: signal_series(s) for s in facts.SIGNALS})


@cached
def health() -> pd.DataFrame:
    """framework_health rows with the health score (`score`, 0..100) and its `coverage`."""
    if not has_view("framework_health"):
        return pd.DataFrame()
    rows = db.run(shared.framework_health())
    if rows.empty:
        return rows
    scores = [scoring.health(row) for _, row in rows.iterrows()]
    return rows.assign(score=[s.total for s in scores],
                       coverage=[round(s.coverage, 2) for s in scores])


def health_components(framework: str) -> pd.DataFrame:
    """One framework's health components: fact, value, 0..1 score, weight and rule."""
    rows = health()
    if rows.empty or framework not in set(rows["framework"]):
        return pd.DataFrame()
    row = rows[rows["framework"] == framework].iloc[0]
    score = scoring.health(row)
    out = []
    for name, (raw, part, weight) in score.components.items():
        column, _, rule = scoring.HEALTH_RULES[name]
        out.append((name, column, None if pd.isna(raw) else raw, part, weight, rule))
    return pd.DataFrame(out, columns=["component", "fact", "value", "score", "weight", "rule"])


def has_view(view: str) -> bool:
    """False for a warehouse published before the view existed (the next collect adds it)."""
    return view in db.catalogue()


@cached
def speed() -> pd.DataFrame:
    """Speed-up over NumPy per framework on the most recently measured machine (with its CPU)."""
    results = db.run(shared.bench_suite_latest())
    if results.empty:
        return pd.DataFrame(columns=["framework", "version", "speedup", "cases", "cpu_model"])
    out = facts.speed_vs_reference(results)
    return out.assign(cpu_model=results["cpu_model"].iloc[0], machine_id=results["machine_id"].iloc[0])


def slider_weights() -> dict[str, int]:
    """The adoption index's default weights as the Overview's sliders show them (percent)."""
    return {signal: int(100 * facts.INDEX_WEIGHTS[signal]) for signal in facts.SIGNALS}


@cached
def framework_facts(index_weights: tuple[tuple[str, float], ...] = ()) -> pd.DataFrame:
    """The facts row per framework (scoring's input), with the adoption index for the weights."""
    return facts.assemble(registry(), momentum(), health(), speed(),
                          dict(index_weights) or facts.INDEX_WEIGHTS)


# Forecasts and change points ----------------------------------------------------------------

@dataclass
class Outlook:
    """A signal's forecast: weekly history, the next 13 weeks, and the backtest (None: too short)."""

    signal: str
    history: pd.DataFrame
    forecast: pd.DataFrame | None
    backtest: forecast.Backtest | None
    weeks: int  # usable weeks of history


@cached
def outlook(framework: str, signal: str) -> Outlook:
    kind = FORECAST_SIGNALS[signal]
    history = series.weekly(signal_series(signal, (framework,)), kind=kind)
    usable = forecast.clean(history, kind) if not history.empty else history
    return Outlook(signal, history, forecast.forecast_weeks(usable, kind),
                   forecast.backtest_weeks(usable, kind) if len(usable) else None, len(usable))


def forecast_table(framework: str) -> pd.DataFrame:
    """One row per forecast signal: last week, the week 13 weeks on with intervals, backtest."""
    rows = []
    for signal in FORECAST_SIGNALS:
        o = outlook(framework, signal)
        last = o.history.dropna(subset=["value"]).tail(1)
        end = o.forecast.iloc[-1] if o.forecast is not None else None
        rows.append({
            "signal": signal, "last_week": last["week"].iloc[0] if len(last) else None,
            "last_value": last["value"].iloc[0] if len(last) else None,
            "weeks": o.weeks,
            "forecast_week": end["week"] if end is not None else None,
            **{k: (end[k] if end is not None else None)
               for k in ("mean", "lo80", "hi80", "lo95", "hi95")},
            "backtest_mape": o.backtest.mape if o.backtest else None,
            "backtest_coverage80": o.backtest.coverage80 if o.backtest else None,
            "backtest_points": o.backtest.points if o.backtest else 0,
        })
    return pd.DataFrame(rows)


@cached
def all_events() -> pd.DataFrame:
    """Every framework's minor releases and lifecycle events as (framework, date, label)."""
    fids = list(registry()["framework"]) if not registry().empty else []
    releases = db.run(shared.minor_releases(fids))
    lifecycle = db.run(shared.framework_events_of(fids))
    parts = [f[["framework", "date", "label"]] for f in (releases, lifecycle) if not f.empty]
    if not parts:
        return pd.DataFrame(columns=["framework", "date", "label", "kind"])
    kinds = ["release"] * len(releases) + ["event"] * len(lifecycle)
    out = pd.concat(parts, ignore_index=True).assign(kind=kinds)
    return out.assign(date=pd.to_datetime(out["date"], utc=True))


def events(framework: str) -> pd.DataFrame:
    """Minor releases and lifecycle events of one framework as (date, label) annotations."""
    frame = all_events()
    return frame[frame["framework"] == framework][["date", "label"]].reset_index(drop=True)


CHANGE_SIGNALS = ("downloads", "stars_gained")


@cached
def findings(framework: str) -> pd.DataFrame:
    """Spikes, drops and level shifts of weekly downloads and weekly stars gained, annotated."""
    found = []
    for signal in CHANGE_SIGNALS:
        weeks = weekly_signal(framework, signal)
        if len(weeks.dropna()) >= 9:
            rows = changes.findings(weeks, events(framework))
            found.append(rows.assign(signal=signal))
    if not found:
        return pd.DataFrame(columns=["signal", *changes.FINDING_COLUMNS])
    out = pd.concat(found, ignore_index=True)
    return out[["signal", *changes.FINDING_COLUMNS]].sort_values("week", ascending=False)


def weekly_signal(framework: str, signal: str) -> pd.DataFrame:
    """Complete weeks of downloads (sum), or stars gained per week (difference of week ends; the
    running week left out)."""
    if signal == "downloads":
        weeks = series.weekly(signal_series("downloads", (framework,)))
        return weeks.assign(value=weeks["value"].where(weeks["days"] == 7))
    weeks = series.weekly(signal_series("stars", (framework,)), kind="stock")
    gained = weeks["value"].diff()
    if len(weeks) and weeks["days"].iloc[-1] < 7:  # a running week has not gained all it will
        gained.iloc[-1] = float("nan")
    return weeks.assign(value=gained)


@cached
def first_releases() -> dict[str, pd.Timestamp]:
    frame = db.run(compare.first_releases())
    return {r.framework: pd.Timestamp(r.first_release, tz="UTC") for r in frame.itertuples()}


# Overview ------------------------------------------------------------------------------------

def cards_queries() -> Queries:
    return Queries((shared.insight_frameworks(), *momentum_queries().parts,
                    shared.framework_health()))


@cached
def cards() -> pd.DataFrame:
    """One row per framework: status, stars, 30-day downloads and growth, last release, health."""
    fw = registry()
    if fw.empty:
        return fw
    moves = momentum()
    out = fw[["framework", "name", "status", "successor"]].copy()
    out["successor_name"] = out["successor"].map(names())
    for signal, growth in (("stars", "growth_90d"), ("downloads", "growth_30d")):
        rows = moves[moves["signal"] == signal].set_index("framework") if not moves.empty else None
        level = "downloads_30d" if signal == "downloads" else "stars"
        out[level] = out["framework"].map(rows["level"]) if rows is not None else None
        out[f"{signal}_{growth}"] = out["framework"].map(rows[growth]) if rows is not None else None
    rows = health()
    if not rows.empty:
        by = rows.set_index("framework")
        for column in ("latest_release", "last_release_at", "days_since_release"):
            out[column] = out["framework"].map(by[column])
        out["health"] = out["framework"].map(by["score"])
        out["health_coverage"] = out["framework"].map(by["coverage"])
    return out.drop(columns=["successor"])


@cached
def movers(days: int = CHANGE_DAYS) -> pd.DataFrame:
    """Per framework: downloads over the last `days` days against the `days` before, and stars
    gained over the same windows; each at the end of its own series (as_of)."""
    rows = []
    for signal in ("downloads", "stars"):
        frame = signal_series(signal)
        for fid, one in frame.groupby("framework"):
            row = _window_change(one, signal, days)
            if row is not None:
                rows.append({"framework": fid, "signal": signal, **row})
    out = pd.DataFrame(rows, columns=["framework", "signal", "last", "previous", "change", "as_of"])
    if out.empty:
        return out
    out.insert(1, "framework_name", out["framework"].map(names()))
    return out.reindex(out["change"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def _window_change(one: pd.DataFrame, signal: str, days: int) -> dict | None:
    one = one.sort_values("date")
    end = one["date"].iloc[-1]
    if signal == "downloads":
        growth = series.growth(one, days)
        if growth is None:
            return None
        last = one.loc[one["date"] > end - pd.Timedelta(days=days), "value"].sum()
        return {"last": float(last), "previous": float(last / (1 + growth)) if growth != -1 else None,
                "change": growth, "as_of": end}
    at = {k: one.loc[one["date"] <= end - pd.Timedelta(days=k * days), "value"] for k in (0, 1, 2)}
    if any(v.empty for v in at.values()):
        return None
    last, previous = at[0].iloc[-1] - at[1].iloc[-1], at[1].iloc[-1] - at[2].iloc[-1]
    return {"last": float(last), "previous": float(previous),
            "change": float(last / previous - 1) if previous > 0 else None, "as_of": end}


# Compare -------------------------------------------------------------------------------------

COMPARE_SIGNALS = ("downloads", "share", "stars", "stars_gained", "authors", "hub_models",
                   "questions", "npm", "conda")
STEPS = {"downloads": "W-MON", "share": "W-MON", "stars": "W-MON", "stars_gained": "W-MON",
         "authors": "MS", "hub_models": "D", "questions": "D", "npm": "W-MON", "conda": "MS"}


def compare_query(signal: str, frameworks: list[str]) -> Query:
    return signal_query("stars" if signal == "stars_gained" else signal, frameworks)


@cached
def compare_all(signal: str) -> pd.DataFrame:
    """A signal of every framework for overlaying: daily signals as weekly points (mean daily
    downloads per week, stars at each week's end, stars gained per week), the others as
    collected; columns framework, date, value."""
    source = "stars" if signal == "stars_gained" else signal
    frame = all_series(source)
    if frame.empty or signal not in ("downloads", "stars", "stars_gained"):
        return frame
    parts = []
    for fid, one in frame.groupby("framework"):
        weeks = series.weekly(one, kind="flow" if signal == "downloads" else "stock")
        if signal == "downloads":
            weeks["value"] = weeks["value"] / weeks["days"]
        elif signal == "stars_gained":
            weeks["value"] = weeks["value"].diff()
        parts.append(weeks.rename(columns={"week": "date"}).assign(framework=fid))
    return pd.concat(parts, ignore_index=True).dropna(subset=["value"])[["framework", "date", "value"]]


def compare_series(signal: str, frameworks: tuple[str, ...]) -> pd.DataFrame:
    """`compare_all` for the selected frameworks."""
    frame = compare_all(signal)
    return frame[frame["framework"].isin(frameworks)]


@cached
def weekly_share() -> pd.DataFrame:
    """Each framework's share of the tracked frameworks' downloads, per day among the frameworks
    with data that day (adoption_share.share_day), as a mean per week: framework, day, share."""
    daily = all_series("downloads")
    if daily.empty:
        return pd.DataFrame(columns=["framework", "framework_name", "day", "share"])
    share = daily["value"] / daily.groupby("date")["value"].transform("sum")
    week = daily["date"] - pd.to_timedelta(daily["date"].dt.day_of_week, unit="D")
    out = pd.DataFrame({"framework": daily["framework"], "day": week, "share": share})
    out = out.groupby(["framework", "day"], as_index=False)["share"].mean()
    return out.assign(framework_name=out["framework"].map(names()))


def recent_releases() -> pd.DataFrame:
    return db.run(framework_queries.recent_releases())


def glance() -> pd.DataFrame:
    return db.run(framework_queries.signals_glance())


def of(frame: pd.DataFrame, framework: str) -> pd.DataFrame:
    """The rows of one framework, without the framework column."""
    if frame.empty:
        return frame
    return frame[frame["framework"] == framework].drop(columns=["framework"]).reset_index(drop=True)
