"""Data: freshness per source, the run log with errors, row counts per public view."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import db, queries
from dashboard.i18n import t
from dashboard.panel import age_text, column_labels, panel

COMMAND = "dltrends collect"

st.title(t("data.title"))
st.caption(t("data.intro"))

path = db.published()
stat = path.stat()
st.caption(t("data.file", path=str(path), size=f"{stat.st_size / 1e6:.1f}",
             age=age_text(dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC))))


def _columns(frame: pd.DataFrame) -> dict:
    return column_labels("data.col_", list(frame.columns))


def _statuses(series: pd.Series) -> pd.Series:
    return series.fillna("never").map(lambda s: t(f"status.{s}"))


query = queries.source_status()
status = db.run(query)
if not status.empty:
    status.insert(4, "freshness", [age_text(None if pd.isna(v) else pd.Timestamp(v).to_pydatetime())
                                   for v in status["last_success_at"]])
    status["last_status"] = _statuses(status["last_status"])
panel("freshness", t("data.freshness"), query, status, source="warehouse",
      command=COMMAND, help=t("data.freshness_help"), column_config=_columns(status))

query = queries.run_log()
runs = db.run(query)
if not runs.empty:
    runs["status"] = _statuses(runs["status"])
panel("runs", t("data.runs"), query, runs, source="warehouse", command=COMMAND,
      help=t("data.runs_help"), column_config=_columns(runs))

views = db.run(queries.public_views())
query = queries.row_counts(list(views["view_name"])) if not views.empty else queries.public_views()
counts = db.run(query) if not views.empty else pd.DataFrame()
if not counts.empty:
    counts = counts.merge(views, on="view_name", how="left")
panel("rows", t("data.rows"), query, counts, source="warehouse", command=COMMAND,
      help=t("data.rows_help"), column_config=_columns(counts))

# Download sources compared (issue 4): days two sources both hold, and how far apart they are
query = queries.source_disagreement()
compared = db.run(query)
panel("sources_compared", t("data.disagreement"), query, compared, source="downloads",
      command="dltrends backfill --source clickpy", help=t("data.disagreement_help"),
      column_config=_columns(compared) | {
          c: st.column_config.NumberColumn(t(f"data.col_{c}"), format="percent")
          for c in ("median_difference", "max_difference")})
