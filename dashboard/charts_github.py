"""Charts of the Community page and of the release notes: time series with gaps kept as gaps,
log scales, release markers, and release-note category counts."""

from __future__ import annotations

import altair as alt
import pandas as pd

NOTE_COLORS = {"breaking_changes": "#d62728", "deprecations": "#ff7f0e", "security_items": "#9467bd",
               "performance_items": "#2ca02c", "fixes": "#1f77b4", "features": "#17becf"}


def time_lines(frame: pd.DataFrame, x: str, y: str, labels: dict[str, str], *, log: bool = False,
               markers: pd.DataFrame | None = None, dash: str | None = None,
               time_unit: str = "yearmonthdate") -> alt.LayerChart:
    """One line per series (and per unbroken segment: gaps are not bridged), optional log scale.

    `dash` names a column whose values draw solid (first) or dashed lines (exact / estimated).
    `markers` (framework_name, tag_name, day) adds a faint rule at each release.
    """
    data = frame[frame[y] > 0] if log else frame
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    encoding = {
        "x": alt.X(f"{x}:T", title=labels["x"]),
        "y": alt.Y(f"{y}:Q", title=labels["y"], scale=scale),
        "color": alt.Color("series:N", title=labels["series"], scale=alt.Scale(scheme="tableau10")),
        "detail": "segment:N",
        "tooltip": [alt.Tooltip("series:N", title=labels["series"]),
                    alt.Tooltip(f"{x}:T", title=labels["x"], timeUnit=time_unit),
                    alt.Tooltip(f"{y}:Q", title=labels["y"], format=",.0f")],
    }
    if dash:
        encoding["strokeDash"] = alt.StrokeDash(f"{dash}:N", title=labels.get("dash", dash),
                                                scale=alt.Scale(domain=["exact", "estimated"],
                                                                range=[[1, 0], [5, 3]]))
        encoding["tooltip"].append(alt.Tooltip(f"{dash}:N", title=labels.get("dash", dash)))
    # Points only while a series is short (a few daily snapshots): a lone day still shows.
    short = data.groupby("series")[x].count().max() <= 60 if not data.empty else False
    lines = alt.Chart(data).mark_line(strokeWidth=1.8, point=bool(short)).encode(**encoding)
    layers = [lines]
    if markers is not None and not markers.empty:
        layers.append(alt.Chart(markers).mark_rule(opacity=0.3, strokeDash=[2, 3], color="#777").encode(
            x="day:T",
            tooltip=[alt.Tooltip("framework_name:N", title=labels["series"]),
                     alt.Tooltip("tag_name:N", title=labels["release"]),
                     alt.Tooltip("day:T", title=labels["x"], format="%Y-%m-%d")]))
    return alt.layer(*layers).properties(height=340)


def note_counts(frame: pd.DataFrame, labels: dict[str, str], categories: dict[str, str]) -> alt.Chart:
    """Release-note items per release (newest on top), stacked by category.

    `categories` maps github_releases count columns (breaking_changes, ...) to their labels.
    """
    long = frame.melt(id_vars=["tag_name"], value_vars=list(categories), var_name="category",
                      value_name="items")
    long = long[long["items"] > 0].assign(category_label=lambda d: d["category"].map(categories))
    order = list(frame["tag_name"])
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("tag_name:N", title=labels["release"], sort=order),
        x=alt.X("items:Q", title=labels["items"], stack="zero"),
        color=alt.Color("category_label:N", title=labels["category"],
                        scale=alt.Scale(domain=list(categories.values()),
                                        range=[NOTE_COLORS[c] for c in categories])),
        tooltip=[alt.Tooltip("tag_name:N", title=labels["release"]),
                 alt.Tooltip("category_label:N", title=labels["category"]),
                 alt.Tooltip("items:Q", title=labels["items"])],
    ).properties(height=alt.Step(18))
