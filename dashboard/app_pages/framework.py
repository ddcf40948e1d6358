"""Framework detail (?fw=<id>): everything about one framework on one page: lifecycle and
deployment, health with every component, momentum, forecasts with their backtest, change points,
releases, security, performance and the other signals, with links to the pages behind them."""

import pandas as pd
import streamlit as st

from dashboard import charts_insight, insight, signals, state
from dashboard import insight_ui as ui
from dashboard.i18n import t
from dashboard.panel import column_labels, panel
from dashboard.queries import Queries, shared
from dashboard.queries import framework as queries
from dltrends.analysis import forecast as forecast_method
from dltrends.analysis.facts import as_list
from warehouse.catalogue import command_for

st.title(t("framework.title"))
st.caption(t("framework.intro"))

registry = insight.registry()
names = insight.names()
options = list(names)
fid = state.selectbox("fw", t("filters.framework"), options,
                      "pytorch" if "pytorch" in options else None,
                      format_func=lambda f: names.get(f, f)) or ""
row = registry[registry["framework"] == fid].iloc[0] if fid else pd.Series(dtype=object)
labels = {k: t(f"insight.label_{k}") for k in (
    "date", "value", "mean", "lo80", "hi80", "lo95", "hi95", "kind", "change", "event", "score",
    "weight", "rule", "component")} | {"kinds": {k: t(f"insight.finding_{k}") for k in (
        "spike", "drop", "level_shift")}}


def header() -> None:
    """Name, lifecycle, successor, deployment with its source, and links to the other pages."""
    status = t(f"lifecycle.{row['status']}")
    successor = names.get(row["successor"]) if not ui.missing(row.get("successor")) else None
    st.header(f"{row['name']} · {status}" + (f" → {successor}" if successor else ""), anchor="about")
    targets = [t(f"insight.target_{d}") for d in as_list(row.get("deployment"))]
    if targets:
        st.markdown(t("framework.deployment", targets=", ".join(targets),
                      source=row["deployment_source"]))
    else:
        st.caption(t("framework.deployment_none"))
    if not ui.missing(row.get("homepage")) and str(row["homepage"]).startswith("https://"):
        st.markdown(t("framework.homepage", url=row["homepage"]))
    links = st.columns(6)
    for column, (page, key, params) in zip(links, (
            ("app_pages/releases.py", "releases", {"fw": fid, "notes": fid, "matrix": fid}),
            ("app_pages/adoption.py", "adoption", {"fw": fid}),
            ("app_pages/community.py", "community", {"fw": fid}),
            ("app_pages/performance.py", "performance", {"fw": fid}),
            ("app_pages/compare.py", "compare", {"fw": fid}),
            ("app_pages/advisor.py", "advisor", {"current": fid})), strict=True):
        with column:
            st.page_link(page, label=t(f"framework.link_{key}"), query_params=params)


def metrics() -> None:
    card = insight.cards()
    card = card[card["framework"] == fid].iloc[0]
    facts = insight.framework_facts()
    cols = st.columns(4)
    cols[0].metric(t("overview.stars"), ui.number(card.get("stars")),
                   ui.percent(card.get("stars_growth_90d")), help=ui.no_data_help("stars"))
    cols[1].metric(t("overview.downloads_30d"), ui.number(card.get("downloads_30d")),
                   ui.percent(card.get("downloads_growth_30d")), help=ui.no_data_help("downloads"))
    health = card.get("health")
    cols[2].metric(t("framework.health"), t("insight.no_data") if ui.missing(health)
                   else f"{health:.0f} / 100", help=t("framework.health_metric_help"))
    index = facts.loc[fid, "adoption_index"] if fid in facts.index else None
    cols[3].metric(t("framework.adoption_index"), ui.percent(index, signed=False) or
                   t("insight.no_data"), help=t("framework.adoption_index_help"))


if fid:
    header()
    metrics()

# Health: the score with every component, its rule and weight
parts = insight.health_components(fid) if fid else pd.DataFrame()
chart = None
if not parts.empty:
    parts["component_label"] = parts["component"].map(lambda c: t(f"insight.component_{c}"))
    parts["rule"] = parts["component"].map(lambda c: t(f"insight.rule_{c}"))
    rows = insight.health()
    score = rows.loc[rows["framework"] == fid, ["score", "coverage"]].iloc[0]
    st.caption(t("framework.health_score", score="-" if ui.missing(score["score"]) else
                 f"{score['score']:.0f}", coverage=f"{score['coverage']:.0%}"))
    scored = parts.dropna(subset=["score"])[["component_label", "score", "weight", "rule"]]
    chart = charts_insight.components(scored, labels) if not scored.empty else None
    parts["value"] = parts["value"].map(lambda v: t("insight.no_data") if ui.missing(v) else str(v))
shown = parts[["component_label", "fact", "value", "score", "weight", "rule"]] if not parts.empty \
    else parts
panel("health", t("framework.health_title"), shared.framework_health(), shown,
      source=("pypi", "github-history", "osv"), command=insight.COMMANDS["health"], chart=chart,
      show_table=True, help=t("framework.health_help"),
      column_config=column_labels("framework.col_", list(shown.columns)) | {
          "weight": st.column_config.NumberColumn(t("framework.col_weight"), format="percent")})

# Momentum and share of this framework
moves = insight.momentum()
mine = moves[moves["framework"] == fid] if not moves.empty else moves
if not mine.empty:
    mine = mine.assign(signal=mine["signal"].map(ui.signal_label),
                       note=mine["note"].map(ui.note_text))
    mine = mine.drop(columns=["framework"])
panel("momentum", t("framework.momentum"), insight.momentum_queries(), mine,
      source=("downloads", "github-history", "hf"), command=insight.COMMANDS["downloads"],
      show_table=True, help=t("overview.momentum_help"),
      column_config=ui.momentum_columns(list(mine.columns)))

# Forecasts 90 days ahead, with the backtest error beside each
table = insight.forecast_table(fid) if fid else pd.DataFrame()
table = table[table["weeks"] > 0] if not table.empty else table
signal_names = {s: ui.signal_label(s) for s in (*insight.FORECAST_SIGNALS, *insight.CHANGE_SIGNALS)}
signal = state.selectbox("signal", t("framework.forecast_signal"), list(insight.FORECAST_SIGNALS),
                         "downloads", format_func=signal_names.__getitem__) or "downloads"
chart = None
if not table.empty:
    ahead = insight.outlook(fid, signal)
    if ahead.forecast is not None:
        log = signal == "downloads"
        chart = charts_insight.forecast(ahead.history.tail(104), ahead.forecast,
                                        labels | {"value": ui.signal_label(signal)}, log=log)
    for r in table.itertuples():
        if pd.isna(r.mean):
            st.caption(t("framework.forecast_short", signal=ui.signal_label(r.signal), weeks=r.weeks,
                         needed=forecast_method.MIN_WEEKS, command=insight.COMMANDS[r.signal]))
    table = table.assign(signal=table["signal"].map(ui.signal_label))
panel("forecast", t("framework.forecast"), Queries(tuple(
          insight.signal_query(s, [fid]) for s in insight.FORECAST_SIGNALS)), table,
      source=("downloads", "github-history"), command=insight.COMMANDS["downloads"], chart=chart,
      show_table=True, help=t("framework.forecast_help"),
      column_config=column_labels("framework.col_", list(table.columns)) | {
          c: st.column_config.NumberColumn(t(f"framework.col_{c}"), format="percent")
          for c in ("backtest_mape", "backtest_coverage80")} | {
          c: st.column_config.NumberColumn(t(f"framework.col_{c}"), format="localized")
          for c in ("last_value", "mean", "lo80", "hi80", "lo95", "hi95")})

# Change points and anomalies, each with the nearest release or lifecycle event
series_name = state.selectbox("changes", t("framework.changes_signal"), list(insight.CHANGE_SIGNALS),
                              "stars_gained", format_func=signal_names.__getitem__) or "stars_gained"
found = insight.findings(fid) if fid else pd.DataFrame(columns=["signal"])
found = found[found["signal"] == series_name]
weeks = insight.weekly_signal(fid, series_name) if fid else pd.DataFrame()
chart, shown = None, found
if not weeks.empty and weeks["value"].notna().any():
    chart = charts_insight.findings(weeks, found, labels | {"value": ui.signal_label(series_name)})
    if found.empty:  # measured, and nothing stood out: the series itself is the panel's data
        st.caption(t("framework.no_changes", signal=ui.signal_label(series_name),
                     weeks=int(weeks["value"].notna().sum())))
        shown = weeks
if not found.empty:
    shown = found.assign(signal=found["signal"].map(ui.signal_label),
                         kind=found["kind"].map(labels["kinds"])).rename(columns={"score": "robust_z"})
panel("changes", t("framework.changes"), Queries((
          insight.signal_query("downloads" if series_name == "downloads" else "stars", [fid]),
          shared.minor_releases([fid]), shared.framework_events_of([fid]))), shown,
      source=("downloads", "github-history", "pypi"),
      command=insight.COMMANDS["downloads" if series_name == "downloads" else "stars"],
      chart=chart, show_table=True, help=t("framework.changes_help"),
      column_config=column_labels("framework.col_", list(shown.columns)) | {
          "change": st.column_config.NumberColumn(t("framework.col_change"), format="percent")})

# Releases and lifecycle events
releases = insight.of(insight.recent_releases(), fid)
panel("releases", t("framework.releases"), queries.recent_releases(), releases, source="pypi",
      command=insight.COMMANDS["releases"], show_table=True,
      column_config=column_labels("framework.col_", list(releases.columns)))

# Security: known vulnerabilities on the latest release
if fid:
    signals.security_panel(fid, names[fid])

# Performance on this machine's benchmark suite
speed = insight.speed()
mine = speed[speed["framework"] == fid] if not speed.empty else speed
panel("performance", t("framework.performance"), shared.bench_suite_latest(), mine,
      source="bench", command=insight.COMMANDS["bench"], show_table=True,
      help=t("framework.performance_help"),
      column_config=column_labels("framework.col_", list(mine.columns)))

# The other signals at a glance
glance = insight.of(insight.glance(), fid)
if not glance.empty:
    glance = glance.assign(signal=glance["signal"].map(lambda s: t(f"framework.glance_{s}")))
panel("signals", t("framework.signals"), queries.signals_glance(), glance,
      source=("hf", "stackoverflow", "npm", "conda"),
      command=command_for("hub_models_daily", "stackoverflow_tags_daily", "npm_downloads_daily",
                          "conda_downloads_monthly"),
      show_table=True, column_config=column_labels("framework.col_", list(glance.columns)))
