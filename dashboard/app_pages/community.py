"""Community: stars, forks, issue and PR flow, time to close, authors and bus factor, per
framework and compared across frameworks, with release markers."""

import datetime as dt

import streamlit as st

from dashboard import charts_github, db, frames, insight, state
from dashboard.i18n import t
from dashboard.panel import column_labels, panel
from dashboard.queries import community as queries
from warehouse.catalogue import command_for

SNAPSHOTS = command_for("repo_stats_daily")
HISTORY = insight.COMMANDS["authors"]
DEFAULT_FRAMEWORKS = ("tensorflow", "pytorch", "jax", "keras", "paddlepaddle", "mxnet")

st.title(t("community.title"))
st.caption(t("community.intro"))

fw = db.run(queries.github_frameworks())
names = dict(zip(fw["framework"], fw["name"], strict=True)) if not fw.empty else {}
options = list(names)
default = [f for f in DEFAULT_FRAMEWORKS if f in options] or options[:6]
years = [str(y) for y in range(2008, dt.datetime.now(dt.UTC).year + 1)]

left, mid, right = st.columns([5, 1.4, 1.4], vertical_alignment="bottom")
with left:
    selected = state.multiselect("fw", t("filters.frameworks"), options, default,
                                 format_func=lambda f: names.get(f, f))
with mid:
    since = int(state.selectbox("since", t("filters.since"), years, "2015"))
with right:
    log = state.toggle("log", t("community.log_scale"), default=True)

markers = db.run(queries.github_release_markers(selected, since))
labels = {"series": t("labels.framework"), "release": t("community.release"), "dash": t("community.method")}


def lines(frame, x, y, y_label, step, *, dash=None, log_scale=False, time_unit="yearmonthdate"):
    """A time chart of `y`, gaps kept as gaps; None when there is nothing to draw."""
    data = frames.segments(frame, "series", x, step, value=y)
    if data.empty:
        return None
    return charts_github.time_lines(data, x, y, {**labels, "x": t("labels.date"), "y": y_label},
                                    log=log_scale, markers=markers, dash=dash, time_unit=time_unit)


# Latest snapshot per repo
query = queries.github_latest(selected)
latest = db.run(query)
panel("latest", t("community.latest"), query, latest, source="github", command=SNAPSHOTS,
      help=t("community.latest_help"), column_config=column_labels("community.col_", list(latest.columns)))

# Stars: cumulative, and per week
query = queries.star_history(selected, since)
stars = db.run(query)
chart = lines(stars, "day", "stars", t("community.stars"), "D", dash="method", log_scale=log) \
    if not stars.empty else None
panel("stars", t("community.stars_title"), query, stars, source="github-history", command=HISTORY,
      chart=chart, help=t("community.stars_help"))

query = queries.stars_per_week(selected, since)
weekly = db.run(query)
chart = lines(weekly, "week", "gained", t("community.stars_week"), "W-MON", dash="method",
              log_scale=log) if not weekly.empty else None
panel("stars_week", t("community.stars_week_title"), query, weekly, source="github-history",
      command=HISTORY, chart=chart, help=t("community.stars_week_help"))

# Forks (daily snapshots only: GitHub keeps no fork-count history)
query = queries.forks_daily(selected, since)
daily = db.run(query)
chart = lines(daily, "day", "forks", t("community.forks"), "D", log_scale=log) if not daily.empty else None
panel("forks", t("community.forks_title"), query, daily, source="github", command=SNAPSHOTS,
      chart=chart, help=t("community.forks_help"))

# Monthly community history: one query, several panels
query = queries.community_monthly(selected, since)
monthly = db.run(query)
metric_names = {m: t(f"community.metric_{m}") for m in queries.COMMUNITY_METRICS}

flow = state.selectbox("flow", t("community.flow_metric"),
                       ["issues_opened", "issues_closed", "prs_opened", "prs_merged"],
                       "prs_merged", format_func=metric_names.__getitem__)
chart = lines(monthly, "month", flow, metric_names[flow], "MS", log_scale=log,
              time_unit="yearmonth") if not monthly.empty else None
panel("flow", t("community.flow_title"), query, monthly, source="github-history", command=HISTORY,
      chart=chart, help=t("community.flow_help"))

close = state.selectbox("close", t("community.close_metric"),
                        ["median_days_to_close", "median_days_to_merge"], "median_days_to_merge",
                        format_func=metric_names.__getitem__)
chart = lines(monthly, "month", close, metric_names[close], "MS", log_scale=log,
              time_unit="yearmonth") if not monthly.empty else None
panel("time_to_close", t("community.close_title"), query, monthly, source="github-history",
      command=HISTORY, chart=chart, help=t("community.close_help"))

authors = state.selectbox("authors", t("community.authors_metric"),
                          ["active_authors", "first_time_authors", "commits", "bus_factor_12m"],
                          "active_authors", format_func=metric_names.__getitem__)
chart = lines(monthly, "month", authors, metric_names[authors], "MS",
              log_scale=log and authors != "bus_factor_12m", time_unit="yearmonth") \
    if not monthly.empty else None
panel("authors", t("community.authors_title"), query, monthly, source="github-history",
      command=HISTORY, chart=chart, help=t("community.authors_help"))
