"""Altair charts of the insight pages: overlaid signals with release markers, forecasts with their
intervals, change points on a weekly series, the health components and the advisor's ranking."""

from __future__ import annotations

import altair as alt
import pandas as pd

PALETTE = "tableau10"
FINDING_COLORS = {"spike": "#2ca02c", "drop": "#d62728", "level_shift": "#ff7f0e"}


def _x(age: bool, labels: dict[str, str]) -> alt.X:
    if age:
        return alt.X("age_years:Q", title=labels["age"], scale=alt.Scale(zero=False))
    return alt.X("date:T", title=labels["date"])


def overlay(frame: pd.DataFrame, markers: pd.DataFrame, labels: dict[str, str], *,
            log: bool = False, age: bool = False, points: bool = False) -> alt.LayerChart:
    """One line per framework (segments keep gaps as gaps), on calendar dates or on years since
    each framework's first release; every minor release a tick at the bottom in its colour."""
    data = frame[frame["value"] > 0] if log else frame
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    color = alt.Color("framework_name:N", title=labels["framework"], scale=alt.Scale(scheme=PALETTE))
    when = (alt.Tooltip("age_years:Q", title=labels["age"], format=".1f") if age
            else alt.Tooltip("date:T", title=labels["date"], format="%Y-%m-%d"))
    lines = alt.Chart(data).mark_line(strokeWidth=1.8, point=bool(points)).encode(
        x=_x(age, labels), y=alt.Y("value:Q", title=labels["value"], scale=scale), color=color,
        detail="segment:N",
        tooltip=[alt.Tooltip("framework_name:N", title=labels["framework"]), when,
                 alt.Tooltip("value:Q", title=labels["value"], format=",.4~r")])
    layers: list[alt.Chart] = [lines]
    if not markers.empty:
        when = (alt.Tooltip("age_years:Q", title=labels["age"], format=".1f") if age
                else alt.Tooltip("date:T", title=labels["date"], format="%Y-%m-%d"))
        layers.append(alt.Chart(markers).mark_tick(thickness=2, size=12, opacity=0.75).encode(
            x=_x(age, labels), y=alt.value(312), color=color,
            tooltip=[alt.Tooltip("label:N", title=labels["release"]), when]))
    return alt.layer(*layers).properties(height=320)


def forecast(history: pd.DataFrame, ahead: pd.DataFrame, labels: dict[str, str], *,
             log: bool = False) -> alt.LayerChart:
    """Weekly history, the forecast's mean (dashed) and its 80 % and 95 % intervals (bands)."""
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    x = alt.X("week:T", title=labels["date"])
    y_title = labels["value"]
    past = alt.Chart(history.dropna(subset=["value"])).mark_line(color="#1f77b4").encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=scale),
        tooltip=[alt.Tooltip("week:T", title=labels["date"], format="%Y-%m-%d"),
                 alt.Tooltip("value:Q", title=y_title, format=",.0f")])
    band95 = alt.Chart(ahead).mark_area(opacity=0.15, color="#ff7f0e").encode(
        x=x, y=alt.Y("lo95:Q", scale=scale), y2="hi95:Q")
    band80 = alt.Chart(ahead).mark_area(opacity=0.3, color="#ff7f0e").encode(
        x=x, y=alt.Y("lo80:Q", scale=scale), y2="hi80:Q")
    mean = alt.Chart(ahead).mark_line(strokeDash=[5, 3], color="#d95f02").encode(
        x=x, y=alt.Y("mean:Q", scale=scale),
        tooltip=[alt.Tooltip("week:T", title=labels["date"], format="%Y-%m-%d"),
                 alt.Tooltip("mean:Q", title=labels["mean"], format=",.0f"),
                 alt.Tooltip("lo80:Q", title=labels["lo80"], format=",.0f"),
                 alt.Tooltip("hi80:Q", title=labels["hi80"], format=",.0f"),
                 alt.Tooltip("lo95:Q", title=labels["lo95"], format=",.0f"),
                 alt.Tooltip("hi95:Q", title=labels["hi95"], format=",.0f")])
    return alt.layer(band95, band80, past, mean).properties(height=300)


def findings(weeks: pd.DataFrame, found: pd.DataFrame, labels: dict[str, str]) -> alt.LayerChart:
    """A weekly series with its spikes and drops as points and its level shifts as rules."""
    x = alt.X("week:T", title=labels["date"])
    line = alt.Chart(weeks.dropna(subset=["value"])).mark_line(color="#1f77b4").encode(
        x=x, y=alt.Y("value:Q", title=labels["value"]),
        tooltip=[alt.Tooltip("week:T", title=labels["date"], format="%Y-%m-%d"),
                 alt.Tooltip("value:Q", title=labels["value"], format=",.0f")])
    layers: list[alt.Chart] = [line]
    if not found.empty:
        marks = found.assign(kind_label=found["kind"].map(labels["kinds"]),
                             event=found["event"].fillna("-"))
        color = alt.Color("kind_label:N", title=labels["kind"],
                          scale=alt.Scale(domain=[labels["kinds"][k] for k in FINDING_COLORS],
                                          range=list(FINDING_COLORS.values())))
        tooltip = [alt.Tooltip("week:T", title=labels["date"], format="%Y-%m-%d"),
                   alt.Tooltip("kind_label:N", title=labels["kind"]),
                   alt.Tooltip("change:Q", title=labels["change"], format="+.0%"),
                   alt.Tooltip("event:N", title=labels["event"])]
        shifts = marks[marks["kind"] == "level_shift"]
        spikes = marks[marks["kind"] != "level_shift"]
        if not shifts.empty:
            layers.append(alt.Chart(shifts).mark_rule(strokeWidth=2, strokeDash=[4, 2]).encode(
                x=x, color=color, tooltip=tooltip))
        if not spikes.empty:
            layers.append(alt.Chart(spikes).mark_point(size=90, filled=True).encode(
                x=x, y="value:Q", color=color, tooltip=tooltip))
    return alt.layer(*layers).properties(height=260)


def components(frame: pd.DataFrame, labels: dict[str, str]) -> alt.LayerChart:
    """Each health component's 0..1 score as a bar, its weight written beside it."""
    data = frame.assign(weight_text=frame["weight"].map(lambda w: f"{w:.0%}"))
    base = alt.Chart(data).encode(y=alt.Y("component_label:N", title=None, sort=None))
    bars = base.mark_bar(color="#4c78a8").encode(
        x=alt.X("score:Q", title=labels["score"], scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("component_label:N", title=labels["component"]),
                 alt.Tooltip("score:Q", title=labels["score"], format=".2f"),
                 alt.Tooltip("weight:Q", title=labels["weight"], format=".0%"),
                 alt.Tooltip("rule:N", title=labels["rule"])])
    text = base.mark_text(align="left", dx=4).encode(x=alt.value(0), text="weight_text:N")
    return alt.layer(bars, text).properties(height=alt.Step(26))


def ranking(frame: pd.DataFrame, labels: dict[str, str]) -> alt.Chart:
    """The advisor's score per framework as stacked contributions of each criterion."""
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("framework_name:N", title=None, sort=list(frame.drop_duplicates(
            "framework_name")["framework_name"])),
        x=alt.X("points:Q", title=labels["points"], stack="zero", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("criterion_label:N", title=labels["criterion"], sort=None,
                        scale=alt.Scale(scheme=PALETTE)),
        tooltip=[alt.Tooltip("framework_name:N", title=labels["framework"]),
                 alt.Tooltip("criterion_label:N", title=labels["criterion"]),
                 alt.Tooltip("points:Q", title=labels["points"], format=".1f")],
    ).properties(height=alt.Step(26))
