"""Altair charts of the adoption and health signals: time series per framework, conda
downloads by channel, and advisory marks layered on the release timeline."""

from __future__ import annotations

import altair as alt
import pandas as pd

ADVISORY_COLOR = "#b00020"


def series(frame: pd.DataFrame, x: str, y: str, color: str, labels: dict[str, str], *,
           log: bool = False, tooltip: list[alt.Tooltip] | None = None,
           x_type: str = "T") -> alt.Chart:
    """One line (with points) per `color` value; `labels` holds the translated titles."""
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    axis = alt.Axis(format="%Y-%m-%d", labelAngle=-30) if x_type == "T" else alt.Axis()
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X(f"{x}:{x_type}", title=labels[x], axis=axis),
        y=alt.Y(f"{y}:Q", title=labels[y], scale=scale),
        color=alt.Color(f"{color}:N", title=labels[color]),
        tooltip=tooltip or [alt.Tooltip(f"{color}:N", title=labels[color]),
                            alt.Tooltip(f"{x}:{x_type}", title=labels[x]),
                            alt.Tooltip(f"{y}:Q", title=labels[y], format=",")],
    ).properties(height=320)


def channel_bars(frame: pd.DataFrame, labels: dict[str, str]) -> alt.FacetChart:
    """conda downloads per month, one small chart per framework, stacked by data source (channel)."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("yearmonth(month):O", title=labels["month"]),
        y=alt.Y("downloads:Q", title=labels["downloads"], stack="zero"),
        color=alt.Color("data_source:N", title=labels["data_source"]),
        tooltip=[alt.Tooltip("framework_name:N", title=labels["framework_name"]),
                 alt.Tooltip("yearmonth(month):T", title=labels["month"], format="%Y-%m"),
                 alt.Tooltip("data_source:N", title=labels["data_source"]),
                 alt.Tooltip("downloads:Q", title=labels["downloads"], format=",")],
    ).properties(width=170, height=150).facet(
        facet=alt.Facet("framework_name:N", title=None, sort=None), columns=3,
    ).resolve_scale(y="independent")  # small frameworks stay visible beside large ones


def with_advisories(timeline: alt.LayerChart, marked: pd.DataFrame,
                    labels: dict[str, str]) -> alt.LayerChart:
    """The release timeline with a triangle above each release that has known advisories."""
    if marked.empty:
        return timeline
    # A fixed color: the timeline's color scale is the release kind, and layers share scales.
    marks = alt.Chart(marked).mark_point(shape="triangle-down", size=90, filled=True, yOffset=-13,
                                         opacity=0.9, color=ADVISORY_COLOR).encode(
        x="released_at:T",
        y=alt.Y("framework_name:N", title=None, sort=None),
        tooltip=[alt.Tooltip("package:N", title=labels["package"]),
                 alt.Tooltip("version:N", title=labels["version"]),
                 alt.Tooltip("vulnerabilities:Q", title=labels["vulnerabilities"]),
                 alt.Tooltip("advisories:Q", title=labels["advisories"]),
                 alt.Tooltip("max_severity:N", title=labels["severity"])],
    )
    chart = timeline.copy()
    chart.layer = [*timeline.layer, marks]
    return chart
