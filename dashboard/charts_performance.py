"""Reshaping and Altair charts for the Performance page (benchmark results and MLPerf)."""

from __future__ import annotations

from functools import cmp_to_key

import altair as alt
import pandas as pd
from packaging.version import InvalidVersion, Version

REFERENCE = "numpy"


def _version_key(text: str) -> tuple:
    try:
        return (0, Version(text))
    except InvalidVersion:
        return (1, text)


def version_order(versions) -> list[str]:
    """Distinct versions in PEP 440 order (unparsable ones last)."""
    return sorted(set(versions), key=cmp_to_key(
        lambda a, b: -1 if _version_key(a) < _version_key(b) else (1 if _version_key(a) > _version_key(b)
                                                                   else 0)))


def _latest_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values("started_at").groupby(keys, as_index=False).tail(1)


def latest_suite(results: pd.DataFrame) -> pd.DataFrame:
    """Each framework at its highest version measured on the machine, against the NumPy reference
    (its latest run): speedup = NumPy's median / the framework's median, per case."""
    rows = []
    for _, group in results[results["framework"] != REFERENCE].groupby("framework"):
        top = version_order(group["version"])[-1]
        rows.append(_latest_rows(group[group["version"] == top], ["case_key", "mode"]))
    if not rows:
        return pd.DataFrame()
    latest = pd.concat(rows)
    reference = _latest_rows(results[results["framework"] == REFERENCE], ["case_key"])
    ref = dict(zip(reference["case_key"], reference["median"], strict=True))
    latest = latest.assign(
        numpy_ms=latest["case_key"].map(ref) * 1e3, median_ms=latest["median"] * 1e3,
        iqr_ms=latest["iqr"] * 1e3, speedup=latest["case_key"].map(ref) / latest["median"],
        label=latest["framework"] + " " + latest["version"])
    columns = ["framework", "version", "mode", "label", "benchmark", "case_key", "median_ms", "iqr_ms",
               "cv", "noisy", "n", "numpy_ms", "speedup", "gflops"]
    return latest[columns].sort_values(["case_key", "framework", "mode"]).reset_index(drop=True)


def version_series(results: pd.DataFrame, framework: str) -> pd.DataFrame:
    """One framework across its versions: the latest result per version, case and mode."""
    frame = results[results["framework"] == framework]
    if frame.empty:
        return frame
    latest = _latest_rows(frame, ["package", "version", "case_key", "mode"])
    series = latest["case_key"] + latest["mode"].map(lambda m: "" if m == "-" else f" · {m}")
    return latest.assign(median_ms=latest["median"] * 1e3, iqr_ms=latest["iqr"] * 1e3, series=series)


def suite_chart(frame: pd.DataFrame, labels: dict[str, str]) -> alt.LayerChart:
    """Speed relative to NumPy per case, one dot per framework and mode (log scale; right of the
    line at 1 is faster than NumPy; faded dots are noisy results)."""
    data = frame.dropna(subset=["speedup"])
    tooltip = [alt.Tooltip("label:N", title=labels["framework"]),
               alt.Tooltip("mode:N", title=labels["mode"]),
               alt.Tooltip("case_key:N", title=labels["case"]),
               alt.Tooltip("median_ms:Q", title=labels["median"], format=".3f"),
               alt.Tooltip("iqr_ms:Q", title=labels["iqr"], format=".3f"),
               alt.Tooltip("cv:Q", title="CV", format=".1%"),
               alt.Tooltip("speedup:Q", title=labels["speedup"], format=".2f")]
    y = alt.Y("case_key:N", title=None, axis=alt.Axis(labelLimit=320))
    dots = alt.Chart(data).mark_point(size=110, filled=True).encode(
        y=y, x=alt.X("speedup:Q", title=labels["speedup"], scale=alt.Scale(type="log")),
        color=alt.Color("label:N", title=labels["framework"]),
        shape=alt.Shape("mode:N", title=labels["mode"]),
        opacity=alt.condition("datum.noisy", alt.value(0.45), alt.value(1.0)),
        tooltip=tooltip)
    one = alt.Chart(pd.DataFrame({"speedup": [1.0]})).mark_rule(color="#444", strokeDash=[4, 3]).encode(
        x="speedup:Q")
    return alt.layer(one, dots).properties(height=alt.Step(34))


def versions_chart(series: pd.DataFrame, steps: pd.DataFrame, order: list[str],
                   labels: dict[str, str]) -> alt.LayerChart:
    """Median time per version for each case (log scale); regressions as red triangles."""
    x = alt.X("version:O", title=labels["version"], sort=order)
    lines = alt.Chart(series).mark_line(point=True).encode(
        x=x, y=alt.Y("median_ms:Q", title=labels["median"], scale=alt.Scale(type="log")),
        color=alt.Color("series:N", title=labels["case"]),
        tooltip=[alt.Tooltip("series:N", title=labels["case"]),
                 alt.Tooltip("version:N", title=labels["version"]),
                 alt.Tooltip("median_ms:Q", title=labels["median"], format=".3f"),
                 alt.Tooltip("iqr_ms:Q", title=labels["iqr"], format=".3f"),
                 alt.Tooltip("cv:Q", title="CV", format=".1%")])
    layers = [lines]
    if not steps.empty:
        marks = steps.assign(after_ms=steps["after_median"] * 1e3, version=steps["to_version"],
                             pct=steps["change"] * 100)
        layers.append(alt.Chart(marks).mark_point(shape="triangle-up", size=220, filled=True).encode(
            x=x, y="after_ms:Q",
            color=alt.Color("kind:N", title=labels["step"],
                            scale=alt.Scale(domain=["regression", "improvement"],
                                            range=["#d62728", "#2ca02c"])),
            tooltip=[alt.Tooltip("case_key:N", title=labels["case"]),
                     alt.Tooltip("from_version:N", title=labels["from"]),
                     alt.Tooltip("to_version:N", title=labels["version"]),
                     alt.Tooltip("pct:Q", title=labels["change"], format="+.1f")]))
    return alt.layer(*layers).resolve_scale(color="independent").properties(height=380)


def share_chart(frame: pd.DataFrame, labels: dict[str, str]) -> alt.Chart:
    """Share of submission results per framework in each round (stacked to 100 %)."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("round:O", title=labels["round"]),
        y=alt.Y("results:Q", stack="normalize", title=labels["share"], axis=alt.Axis(format="%")),
        color=alt.Color("framework:N", title=labels["framework"]),
        tooltip=[alt.Tooltip("round:N", title=labels["round"]),
                 alt.Tooltip("framework:N", title=labels["framework"]),
                 alt.Tooltip("results:Q", title=labels["results"])],
    ).properties(height=320)


def best_time_chart(frame: pd.DataFrame, labels: dict[str, str]) -> alt.Chart:
    """Best time to train per round and framework for one benchmark (log scale)."""
    return alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=80)).encode(
        x=alt.X("round:O", title=labels["round"]),
        y=alt.Y("best_minutes:Q", title=labels["minutes"], scale=alt.Scale(type="log")),
        color=alt.Color("framework:N", title=labels["framework"]),
        tooltip=[alt.Tooltip("round:N", title=labels["round"]),
                 alt.Tooltip("framework:N", title=labels["framework"]),
                 alt.Tooltip("best_minutes:Q", title=labels["minutes"], format=".2f"),
                 alt.Tooltip("fastest:N", title=labels["fastest"])],
    ).properties(height=320)
