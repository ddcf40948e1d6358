"""Data: what needs attention, freshness per source, the run log with errors, row counts, alerts."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import console, db
from dashboard.i18n import t
from dashboard.panel import age_text, column_labels, panel
from dashboard.queries import data as queries
from warehouse.catalogue import COLLECT, command_for

COMMAND = COLLECT

st.title(t("data.title"))
st.caption(t("data.intro"))

path = db.published()
stat = path.stat()
# the full path for a local user only; a shared dashboard names the file, not the server's folders
st.caption(t("data.file", path=path.name if console.hide_paths() else str(path),
             size=f"{stat.st_size / 1e6:.1f}",
             age=age_text(dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC))))


def _columns(frame: pd.DataFrame) -> dict:
    return column_labels("data.col_", list(frame.columns))


def _statuses(series: pd.Series) -> pd.Series:
    return series.fillna("never").map(lambda s: t(f"status.{s}"))


def _age(value) -> str:
    return age_text(None if pd.isna(value) else pd.Timestamp(value).to_pydatetime())


def _span(value) -> str:
    if value is None or pd.isna(value):
        return ""
    hours = pd.Timedelta(value).total_seconds() / 3600
    return t("data.days", n=f"{hours / 24:g}") if hours >= 48 else t("data.hours", n=f"{hours:g}")


def _attention(health: pd.DataFrame) -> None:
    """Say first what needs a look: failing and stale sources."""
    for row in health.itertuples(index=False):
        if row.state == "failing":
            error = str(row.last_error or "").replace("`", "'")[:300]  # shown as code: no links
            st.warning(t("data.attention_failing", source=row.source, n=row.failed_in_a_row,
                         error=error), icon=":material/error:")
        elif row.state == "stale":
            st.warning(t("data.attention_stale", source=row.source, age=_age(row.last_success_at),
                         expected=_span(row.expected_freshness)), icon=":material/schedule:")


views = pd.DataFrame([(v.name, v.description or None) for v in db.catalogue().values()],
                     columns=["view_name", "comment"])
view_names = set(views["view_name"])
if "source_health" in view_names:
    query = queries.source_health()
    status = db.run(query)
    if not status.empty:
        _attention(status)
        status.insert(5, "freshness", [_age(v) for v in status["last_success_at"]])
        status["expected_freshness"] = [_span(v) for v in status["expected_freshness"]]
        status["state"] = status["state"].map(lambda s: t(f"data.state_{s}"))
        status["last_status"] = _statuses(status["last_status"])
else:  # a file published by an older dltrends
    query = queries.source_status()
    status = db.run(query)
    if not status.empty:
        status.insert(4, "freshness", [_age(v) for v in status["last_success_at"]])
        status["last_status"] = _statuses(status["last_status"])
panel("freshness", t("data.freshness"), query, status, source="warehouse",
      command=COMMAND, help=t("data.freshness_help"), column_config=_columns(status))

query = queries.run_log()
runs = db.run(query)
if not runs.empty:
    runs["status"] = _statuses(runs["status"])
panel("runs", t("data.runs"), query, runs, source="warehouse", command=COMMAND,
      help=t("data.runs_help"), column_config=_columns(runs))

query = queries.row_counts(list(views["view_name"]))
counts = db.run(query) if not views.empty else pd.DataFrame()
if not counts.empty:
    counts = counts.merge(views, on="view_name", how="left")
panel("rows", t("data.rows"), query, counts, source="warehouse", command=COMMAND,
      help=t("data.rows_help"), column_config=_columns(counts))

# Download sources compared: days two sources both hold, and how far apart they are
query = queries.source_disagreement()
compared = db.run(query)
panel("sources_compared", t("data.disagreement"), query, compared, source="downloads",
      command=command_for("download_source_comparison"), help=t("data.disagreement_help"),
      column_config=_columns(compared) | {
          c: st.column_config.NumberColumn(t(f"data.col_{c}"), format="percent")
          for c in ("median_difference", "max_difference")})

if "alerts" in view_names:
    query = queries.recent_alerts()
    raised = db.run(query)
    if raised.empty:
        st.caption(t("data.no_alerts", command="dltrends alerts rules"))
    else:
        config = _columns(raised)
        config["url"] = st.column_config.LinkColumn(t("data.col_url"), display_text=t("data.details"))
        panel("alerts", t("data.alerts"), query, raised, source="warehouse",
              command=command_for("alerts"), help=t("data.alerts_help"), column_config=config)
