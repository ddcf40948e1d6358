"""Panels of the adoption and health signals, as functions any page can call.

The Adoption page shows these panels below the PyPI downloads; any page can call the same
functions (`conda_panel(frameworks)`, ...) to show them beside PyPI downloads. The Releases page
uses `advisory_marks` and `security_panel`. Each panel goes through `dashboard.panel.panel`
(source and freshness, SQL, CSV/PNG, an empty state naming the command that fills it).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts_signals, db, insight
from dashboard.i18n import t
from dashboard.panel import column_labels, panel
from dashboard.queries import adoption, shared
from dashboard.queries import releases as release_queries

COMMANDS = {source: insight.COMMANDS[signal] for source, signal in (
    ("conda", "conda"), ("hf", "hub_models"), ("stackoverflow", "questions"), ("npm", "npm"),
    ("osv", "osv"))}


def _labels(*keys: str) -> dict[str, str]:
    return {k: t(f"signals.col_{k}") for k in keys}


DATE_COLUMNS = ("month", "snapshot_date", "week")


def _columns(frame: pd.DataFrame, **special) -> dict:
    """Translated column names; calendar days shown without a time of day."""
    dates = {c: st.column_config.DateColumn(t(f"signals.col_{c}"), format="YYYY-MM-DD")
             for c in DATE_COLUMNS if c in frame.columns}
    return column_labels("signals.col_", list(frame.columns), **{**dates, **special})


def conda_panel(frameworks: list[str]) -> None:
    """Monthly conda downloads per framework, stacked by channel."""
    query = adoption.conda_monthly(frameworks)
    frame = db.run(query)
    chart = None
    if not frame.empty:
        chart = charts_signals.channel_bars(
            frame, _labels("month", "downloads", "data_source", "framework_name"))
    shown = frame.drop(columns=["framework"], errors="ignore")
    panel("conda", t("signals.conda"), query, shown, source="conda", command=COMMANDS["conda"],
          chart=chart, help=t("signals.conda_help"), show_table=True, column_config=_columns(shown))


def hub_panel(frameworks: list[str]) -> None:
    """Models per Hugging Face library tag and the top-N models' 30-day downloads, per day."""
    query = adoption.hub_daily(frameworks)
    frame = db.run(query)
    chart = None
    if not frame.empty:
        labels = _labels("snapshot_date", "top_n_downloads_30d", "models_count", "framework_name")
        n = int(frame["top_n"].iloc[-1])
        labels["top_n_downloads_30d"] = t("signals.col_top_n_downloads_30d_n", n=n)
        chart = charts_signals.series(frame, "snapshot_date", "top_n_downloads_30d", "framework_name",
                                       labels, log=True)
        st.caption(t("signals.hub_top_n", n=n))
        if not frame["models_count_complete"].all():
            st.caption(t("signals.hub_incomplete"))
    shown = frame.drop(columns=["framework"], errors="ignore")
    panel("hub", t("signals.hub"), query, shown, source="hf", command=COMMANDS["hf"], chart=chart,
          help=t("signals.hub_help"), show_table=True, column_config=_columns(shown))


def stackoverflow_panel(frameworks: list[str]) -> None:
    """Questions per framework (over its tags), and new questions per week between snapshots."""
    query = adoption.stackoverflow_daily(frameworks)
    frame = db.run(query)
    chart = None
    rates = frame.dropna(subset=["questions_per_week"]) if not frame.empty else frame
    if not rates.empty:  # a rate needs two snapshots; the table shows the first one's counts
        labels = _labels("snapshot_date", "questions_per_week", "framework_name")
        chart = charts_signals.series(rates, "snapshot_date", "questions_per_week", "framework_name",
                                      labels)
    shown = frame.drop(columns=["framework"], errors="ignore")
    panel("stackoverflow", t("signals.stackoverflow"), query, shown, source="stackoverflow",
          command=COMMANDS["stackoverflow"], chart=chart, help=t("signals.stackoverflow_help"),
          show_table=True, column_config=_columns(shown))


def npm_panel(frameworks: list[str]) -> None:
    """Weekly downloads of the JavaScript builds."""
    query = adoption.npm_weekly(frameworks)
    frame = db.run(query)
    chart = None
    if not frame.empty:
        complete = frame[frame["days"] == 7]  # partial first and last weeks would dip
        chart = charts_signals.series(complete if not complete.empty else frame, "week", "downloads",
                                      "package", _labels("week", "downloads", "package"))
    shown = frame.drop(columns=["framework"], errors="ignore")
    panel("npm", t("signals.npm"), query, shown, source="npm", command=COMMANDS["npm"], chart=chart,
          help=t("signals.npm_help"), show_table=True, column_config=_columns(shown))


def advisory_marks(releases: pd.DataFrame, frameworks: list[str]) -> pd.DataFrame:
    """The releases of a timeline frame that have known advisories, with their counts."""
    if releases.empty:
        return releases
    counts = db.run(release_queries.advisory_counts(frameworks))
    if counts.empty:
        return counts
    return releases.merge(counts, on=["package", "version"], how="inner")


def security_panel(framework: str, name: str) -> None:
    """Open advisories on the latest release of each primary package of one framework."""
    query = shared.latest_release_security(framework)
    summary = db.run(query)
    panel("security", t("signals.security", framework=name), query, summary, source="osv",
          command=COMMANDS["osv"], help=t("signals.security_help"), column_config=_columns(summary))
    if summary.empty:
        return
    clean = summary[summary["open_advisories"] == 0]
    for row in clean.itertuples():
        st.caption(t("signals.no_advisories", package=row.package, version=row.latest_version))
    if len(clean) == len(summary):
        return
    query = shared.latest_release_advisories(framework)
    advisories = db.run(query)
    panel("advisories", t("signals.advisories", framework=name), query, advisories, source="osv",
          command=COMMANDS["osv"], help=t("signals.advisories_help"),
          column_config=_columns(advisories, url=st.column_config.LinkColumn(t("signals.col_url"))))
