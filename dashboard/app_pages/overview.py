"""Overview: a card per framework, momentum and share per signal with the adoption index, the
share of the ecosystem over time, and what changed in the last 7 days."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts_adoption, db, insight, state
from dashboard import insight_ui as ui
from dashboard.i18n import t
from dashboard.panel import column_labels, panel
from dashboard.queries import overview as queries
from dltrends.analysis import facts, scoring
from warehouse.catalogue import COLLECT

DAYS = insight.CHANGE_DAYS
STALE_HOURS = 48
RETIRED = ("retired", "archived")
COLUMNS = 4

st.title(t("overview.title"))
st.caption(t("overview.intro"))

show_retired = state.toggle("retired", t("overview.show_retired"), default=True)
cards = insight.cards()
if not show_retired and not cards.empty:
    cards = cards[~cards["status"].isin(RETIRED)]


def card(row: pd.Series) -> None:
    with st.container(border=True):
        status = t(f"lifecycle.{row['status']}")
        successor = f" → {row['successor_name']}" if not ui.missing(row.get("successor_name")) else ""
        st.markdown(f"**{row['name']}** · {status}{successor}")
        st.metric(t("overview.stars"), ui.number(row.get("stars")),
                  ui.percent(row.get("stars_growth_90d")), help=t("overview.stars_help")
                  if not ui.missing(row.get("stars")) else ui.no_data_help("stars"))
        st.metric(t("overview.downloads_30d"), ui.number(row.get("downloads_30d")),
                  ui.percent(row.get("downloads_growth_30d")), help=t("overview.downloads_help")
                  if not ui.missing(row.get("downloads_30d")) else ui.no_data_help("downloads"))
        if ui.missing(row.get("latest_release")):
            st.caption(t("overview.no_release", command=insight.COMMANDS["releases"]))
        else:
            st.caption(t("overview.latest_release", release=row["latest_release"],
                         days=int(row["days_since_release"])))
        health, coverage = row.get("health"), row.get("health_coverage")
        if ui.missing(health) or coverage < scoring.MIN_COVERAGE:  # a fact or two is no verdict
            st.caption(t("overview.health_none", coverage=f"{0 if ui.missing(coverage) else coverage:.0%}"))
        else:
            st.caption(t("overview.health", score=f"{health:.0f}", coverage=f"{coverage:.0%}"))
        st.page_link(ui.FRAMEWORK_PAGE, label=t("overview.details"), icon=":material/arrow_forward:",
                     query_params={"fw": row["framework"]})


def card_grid(frame: pd.DataFrame) -> None:
    rows = list(frame.iterrows())
    for start in range(0, len(rows), COLUMNS):
        for column, (_, row) in zip(st.columns(COLUMNS), rows[start:start + COLUMNS], strict=False):
            with column:
                card(row)


panel("cards", t("overview.cards"), insight.cards_queries(), cards,
      source=("pypi", "downloads", "github-history", "osv"), command=COLLECT,
      help=t("overview.cards_help"), body=card_grid)

# Momentum and share per signal
moves = insight.momentum()
shown = pd.DataFrame()
if not moves.empty:
    names = insight.names()
    shown = moves.assign(framework_name=moves["framework"].map(names),
                         signal_label=moves["signal"].map(ui.signal_label),
                         note=moves["note"].map(ui.note_text))
    shown = shown[["framework_name", "signal_label", "level", "growth_30d", "growth_90d",
                   "growth_365d", "share", "as_of", "note"]]
panel("momentum", t("overview.momentum"), insight.momentum_queries(), shown,
      source=("downloads", "github-history", "hf"), command=insight.COMMANDS["downloads"],
      help=t("overview.momentum_help"), show_table=True,
      column_config=ui.momentum_columns(list(shown.columns)))

# Adoption index: the shares combined, weights shown and adjustable (kept in the URL)
with st.expander(t("overview.index_weights"), icon=":material/tune:"):
    st.caption(t("overview.index_weights_help"))
    weight_columns = st.columns(len(facts.SIGNALS))
    weights = {}
    for column, signal in zip(weight_columns, facts.SIGNALS, strict=True):
        with column:
            weights[signal] = state.slider(f"iw_{signal}", ui.signal_label(signal), 0, 100,
                                           insight.slider_weights()[signal], 5)
table = insight.framework_facts(tuple(sorted(weights.items())))
index = pd.DataFrame()
if not table.empty:
    index = table.reset_index()[["name", "adoption_index", "adoption_coverage",
                                 *[f"{s}_share" for s in facts.SIGNALS]]]
    index = index.dropna(subset=["adoption_index"]).sort_values("adoption_index", ascending=False)
total = sum(weights.values()) or 1
st.caption(t("overview.index_formula", weights=", ".join(
    f"{ui.signal_label(s)} {w / total:.0%}" for s, w in weights.items())))
panel("index", t("overview.index"), insight.momentum_queries(), index,
      source=("downloads", "github-history", "hf"), command=insight.COMMANDS["downloads"],
      help=t("overview.index_help"), show_table=True,
      column_config=column_labels("overview.col_", list(index.columns)) | {
          c: st.column_config.NumberColumn(t(f"overview.col_{c}"), format="percent")
          for c in index.columns if c != "name"})

# Share of the tracked ecosystem over time (PyPI downloads)
share = insight.weekly_share()
last_year = share["day"].max().year if not share.empty else dt.datetime.now(dt.UTC).year
years = [str(y) for y in range(2016, last_year + 1)]
since_year = state.selectbox("share_from", t("filters.since"), years, str(max(2016, last_year - 2)))
share = share[share["day"] >= pd.Timestamp(f"{since_year}-01-01", tz="UTC")]
labels = {k: t(f"adoption.label_{k}") for k in ("framework", "date", "share")}
panel("share", t("overview.share"), insight.signal_query("downloads"), share, source="downloads",
      command=insight.COMMANDS["share"], help=t("overview.share_help"),
      chart=charts_adoption.share(share, labels) if not share.empty else None)

# What changed in the last 7 days
st.header(t("overview.changed", days=DAYS), anchor="changed")
query = queries.new_releases(DAYS)
releases = db.run(query)
panel("new_releases", t("overview.new_releases"), query, releases, source="pypi",
      command=insight.COMMANDS["releases"], show_table=True,
      nothing=t("overview.none_released", days=DAYS) if not cards.empty else None,
      column_config=column_labels("overview.col_", list(releases.columns)))

moved = insight.movers(DAYS)
if not moved.empty:
    moved = moved.assign(signal=moved["signal"].map(lambda s: t(f"overview.moved_{s}")))
panel("movers", t("overview.movers"), insight.momentum_queries(), moved.head(12),
      source=("downloads", "github-history"), command=insight.COMMANDS["downloads"],
      help=t("overview.movers_help", days=DAYS), show_table=True,
      column_config=column_labels("overview.col_", list(moved.columns)) | {
          "change": st.column_config.NumberColumn(t("overview.col_change"), format="percent"),
          "as_of": st.column_config.DateColumn(t("overview.col_as_of"), format="YYYY-MM-DD")})

query = queries.recent_regressions(DAYS)
regressions = db.run(query)
panel("regressions", t("overview.regressions"), query, regressions, source="bench",
      command=insight.COMMANDS["bench"], help=t("overview.regressions_help"), show_table=True,
      nothing=t("overview.none_regressed", days=DAYS) if insight.speed().shape[0] else None,
      column_config=column_labels("overview.col_", list(regressions.columns)) | {
          c: st.column_config.NumberColumn(t(f"overview.col_{c}"), format="percent")
          for c in ("change", "noise")})

query = queries.stale_sources(STALE_HOURS)
stale = db.run(query)
panel("stale", t("overview.stale"), query, stale, source="warehouse", command=COLLECT,
      help=t("overview.stale_help", hours=STALE_HOURS), show_table=True,
      nothing=t("overview.none_stale", hours=STALE_HOURS),
      column_config=column_labels("overview.col_", list(stale.columns)))
