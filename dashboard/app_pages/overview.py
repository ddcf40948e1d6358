"""Overview: every tracked framework with its lifecycle and latest release."""

import altair as alt
import streamlit as st

from dashboard import db, queries
from dashboard.i18n import t
from dashboard.panel import column_labels, panel

COMMAND = "dltrends collect --source pypi"

st.title(t("overview.title"))
st.caption(t("overview.intro"))

query = queries.framework_overview()
frame = db.run(query)
if not frame.empty:
    released = frame.dropna(subset=["latest_release_at"])
    left, mid, right = st.columns(3)
    left.metric(t("overview.frameworks"), len(frame))
    mid.metric(t("overview.active"), int((frame["status"] == "active").sum()))
    right.metric(t("overview.releases_year"), int(released["releases_last_year"].sum()))
    frame["status"] = frame["status"].map(lambda s: t(f"lifecycle.{s}"))

table = frame.drop(columns=["framework"], errors="ignore")
panel("frameworks", t("overview.table"), query, table, source="pypi", command=COMMAND,
      help=t("overview.table_help"),
      column_config=column_labels("overview.col_", list(table.columns),
                                  homepage=st.column_config.LinkColumn(t("overview.col_homepage"))))

chart = None
if not frame.empty:
    chart = alt.Chart(frame.dropna(subset=["releases_last_year"])).mark_bar().encode(
        x=alt.X("releases_last_year:Q", title=t("overview.releases_year")),
        y=alt.Y("name:N", title=None, sort="-x"),
        color=alt.Color("status:N", title=t("overview.status")),
        tooltip=[alt.Tooltip("name:N", title=t("labels.framework")),
                 alt.Tooltip("releases_last_year:Q", title=t("overview.releases_year")),
                 alt.Tooltip("latest_release:N", title=t("overview.latest"))],
    ).properties(height=alt.Step(22))
panel("activity", t("overview.activity"), query, frame, source="pypi", command=COMMAND,
      chart=chart, help=t("overview.activity_help"))
