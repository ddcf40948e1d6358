"""Altair charts of the Adoption page (PyPI downloads)."""

from __future__ import annotations

import altair as alt
import pandas as pd

EVENT_COLOR = "#444"


def downloads(frame: pd.DataFrame, measure: str, events: pd.DataFrame, releases: pd.DataFrame,
              labels: dict[str, str]) -> alt.LayerChart:
    """Downloads per framework on a log scale; lifecycle events as rules, minor releases as ticks."""
    color = alt.Color("framework_name:N", title=labels["framework"])
    x = alt.X("day:T", title=labels["date"])
    lines = alt.Chart(frame).mark_line(interpolate="monotone").encode(
        x=x, y=alt.Y(f"{measure}:Q", title=labels["downloads"], scale=alt.Scale(type="log")),
        color=color,
        tooltip=[alt.Tooltip("framework_name:N", title=labels["framework"]),
                 alt.Tooltip("day:T", title=labels["date"], format="%Y-%m-%d"),
                 alt.Tooltip(f"{measure}:Q", title=labels["downloads"], format=",.0f"),
                 alt.Tooltip("source:N", title=labels["source"])],
    )
    layers: list[alt.Chart] = [lines]
    if not releases.empty:
        layers.append(alt.Chart(releases).mark_tick(thickness=2, size=10, opacity=0.7).encode(
            x="day:T", y=alt.value(0), color=color,
            tooltip=[alt.Tooltip("series:N", title=labels["release"]),
                     alt.Tooltip("day:T", title=labels["date"], format="%Y-%m-%d")]))
    if not events.empty:
        layers.append(alt.Chart(events).mark_rule(strokeDash=[4, 3], color=EVENT_COLOR,
                                                  opacity=0.6).encode(
            x="event_date:T",
            tooltip=[alt.Tooltip("framework_name:N", title=labels["framework"]),
                     alt.Tooltip("event_date:T", title=labels["date"], format="%Y-%m-%d"),
                     alt.Tooltip("kind:N", title=labels["event"]),
                     alt.Tooltip("note:N", title=labels["note"])]))
    return alt.layer(*layers).properties(height=380)


def share(frame: pd.DataFrame, labels: dict[str, str]) -> alt.Chart:
    """Stacked share of the tracked ecosystem (trailing 28 days)."""
    return alt.Chart(frame).mark_area().encode(
        x=alt.X("day:T", title=labels["date"]),
        y=alt.Y("share:Q", title=labels["share"], stack="normalize", axis=alt.Axis(format="%")),
        color=alt.Color("framework_name:N", title=labels["framework"]),
        tooltip=[alt.Tooltip("framework_name:N", title=labels["framework"]),
                 alt.Tooltip("day:T", title=labels["date"], format="%Y-%m-%d"),
                 alt.Tooltip("share:Q", title=labels["share"], format=".1%")],
    ).properties(height=320)


def version_curves(frame: pd.DataFrame, labels: dict[str, str]) -> alt.Chart:
    """Each minor series' weekly share of the package's downloads."""
    return alt.Chart(frame).mark_line(interpolate="monotone").encode(
        x=alt.X("week:T", title=labels["date"]),
        y=alt.Y("share:Q", title=labels["share"], axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title=labels["series"], sort=None),
        tooltip=[alt.Tooltip("series:N", title=labels["series"]),
                 alt.Tooltip("week:T", title=labels["date"], format="%Y-%m-%d"),
                 alt.Tooltip("share:Q", title=labels["share"], format=".1%")],
    ).properties(height=320)


def mix(frame: pd.DataFrame, labels: dict[str, str]) -> alt.Chart:
    """Monthly mix as 100 % stacked bars."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("month:T", title=labels["date"]),
        y=alt.Y("downloads:Q", title=labels["share"], stack="normalize", axis=alt.Axis(format="%")),
        color=alt.Color("category:N", title=labels["category"], sort="-y"),
        tooltip=[alt.Tooltip("category:N", title=labels["category"]),
                 alt.Tooltip("month:T", title=labels["date"], format="%Y-%m"),
                 alt.Tooltip("share:Q", title=labels["share"], format=".1%"),
                 alt.Tooltip("downloads:Q", title=labels["downloads"], format=",.0f")],
    ).properties(height=320)
