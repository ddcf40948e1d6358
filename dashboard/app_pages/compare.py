"""Compare: up to 8 frameworks, every signal overlaid, aligned by calendar date or by age since
each framework's first release, on a linear or log scale, with release markers on every chart."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts_insight, frames, insight, state
from dashboard import insight_ui as ui
from dashboard.i18n import t
from dashboard.panel import panel
from dltrends.analysis import series

MAX_FRAMEWORKS = 8
DEFAULT = ("pytorch", "tensorflow", "jax", "onnxruntime")

st.title(t("compare.title"))
st.caption(t("compare.intro"))

names = insight.names()
options = list(names)
default = [f for f in DEFAULT if f in options] or options[:4]
left, mid, right, far = st.columns([5, 1.6, 1.2, 1.2], vertical_alignment="bottom")
with left:
    selected = state.multiselect("fw", t("filters.frameworks"), options, default,
                                 format_func=lambda f: names.get(f, f),
                                 max_selections=MAX_FRAMEWORKS)[:MAX_FRAMEWORKS]
with mid:
    aligns = {a: t(f"compare.align_{a}") for a in ("calendar", "age")}
    align = state.selectbox("align", t("compare.align"), list(aligns), "calendar",
                            format_func=aligns.__getitem__)
with right:
    years = [str(y) for y in range(2010, dt.datetime.now(dt.UTC).year + 1)]
    since = state.selectbox("from", t("filters.since"), years, "2016", disabled=align == "age")
with far:
    log = state.toggle("log", t("compare.log"), default=True)

age = align == "age"
origins = insight.first_releases()
if age:
    missing = [names[f] for f in selected if f not in origins]
    st.caption(t("compare.age_note") + (" " + t("compare.no_origin", names=", ".join(missing))
                                        if missing else ""))
start = pd.Timestamp(f"{since}-01-01", tz="UTC")
markers = insight.all_events()
markers = markers[(markers["kind"] == "release") & markers["framework"].isin(selected)]
markers = markers.assign(framework_name=markers["framework"].map(names))
labels = {k: t(f"insight.label_{k}") for k in ("date", "age", "framework", "release")}


def shaped(frame: pd.DataFrame, signal: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The signal on the chosen axis (gaps kept as gaps) and the release markers inside its span."""
    frame = frame.assign(framework_name=frame["framework"].map(names))
    if not age:
        frame = frame[frame["date"] >= start]
    if frame.empty:
        return frame, markers.iloc[0:0]
    lo, hi = frame["date"].min(), frame["date"].max()
    marks = markers[markers["date"].between(lo, hi) & markers["framework"].isin(set(frame["framework"]))]
    if age:
        frame, marks = series.age_aligned(frame, origins), series.age_aligned(marks, origins)
    out = frames.segments(frame, "framework", "date", insight.STEPS[signal], value="value")
    return out, marks


for signal in insight.COMPARE_SIGNALS:
    data = insight.compare_series(signal, tuple(selected)) if selected else pd.DataFrame()
    chart, shown = None, data
    if not data.empty:
        shown, marks = shaped(data, signal)
        if not shown.empty:
            short = shown.groupby("framework")["date"].count().max() <= 30
            chart = charts_insight.overlay(shown, marks, labels | {"value": ui.signal_label(signal)},
                                           log=log and signal != "share", age=age, points=short)
        shown = shown.drop(columns=["segment"], errors="ignore")
    panel(f"compare_{signal}", ui.signal_label(signal), insight.compare_query(signal, selected),
          shown, source=insight.SOURCES.get(signal, "github-history"),
          command=insight.COMMANDS["stars" if signal == "stars_gained" else signal], chart=chart,
          help=t(f"compare.help_{signal}"),
          nothing=t("compare.before_since", since=since) if not data.empty else None)
