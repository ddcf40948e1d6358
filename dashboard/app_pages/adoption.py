"""Adoption: PyPI downloads per framework, share of the ecosystem, growth, version adoption, mixes."""

import pandas as pd
import streamlit as st

from dashboard import charts_adoption, db, frames_adoption, insight, signals, state
from dashboard.i18n import t
from dashboard.panel import column_labels, panel
from dashboard.queries import adoption as queries
from dashboard.queries import shared
from warehouse.catalogue import COLLECT, FILL, command_for

RECENT, HISTORY = FILL["framework_downloads_daily"]  # the recent days, or the full history
DEFAULT_FRAMEWORKS = ("pytorch", "tensorflow", "jax", "keras", "onnxruntime", "paddlepaddle", "mxnet")

st.title(t("adoption.title"))
st.caption(t("adoption.intro"))

names = insight.names()
coverage = db.run(queries.download_coverage())
if coverage.empty:
    st.info(t("adoption.no_data", recent=RECENT, history=HISTORY, collect=COLLECT), icon=":material/info:")
with_data = set(coverage.get("framework", [])) | set(db.run(queries.signal_frameworks()).get(
    "framework", []))  # the panels below PyPI's show conda, Hub, Stack Overflow and npm data
options = [f for f in names if f in with_data] or list(names)
default = [f for f in DEFAULT_FRAMEWORKS if f in options] or options[:6]
last_day = pd.Timestamp(coverage["last_day"].max()) if not coverage.empty else None
first_year = pd.Timestamp(coverage["first_day"].min()).year if not coverage.empty else 2016
years = [str(y) for y in range(min(first_year, 2016), (last_day.year if last_day is not None else 2016) + 1)]
since_default = frames_adoption.default_since(coverage)[:4]

left, mid, right = st.columns([4, 1, 1.6], vertical_alignment="bottom")
with left:
    selected = state.multiselect("fw", t("filters.frameworks"), options, default,
                                 format_func=lambda f: names.get(f, f))
with mid:
    since_year = state.selectbox("since", t("filters.since"), years,
                                 since_default if since_default in years else years[0])
with right:
    measures = {m: t(f"adoption.measure_{m}") for m in ("downloads_ma7", "downloads_ma28", "downloads")}
    measure = state.selectbox("avg", t("adoption.measure"), list(measures), "downloads_ma7",
                              format_func=measures.__getitem__)
since = f"{since_year or years[0]}-01-01"
bucket = frames_adoption.bucket_for(since, last_day)
labels = {k: t(f"adoption.label_{k}") for k in ("framework", "date", "downloads", "source", "release",
                                                 "event", "note", "share", "series", "category")}

# Downloads per framework, log scale, with releases and lifecycle events
query = queries.framework_downloads(selected, since, bucket)
frame = db.run(query)
chart = None
if not frame.empty:
    span = (pd.Timestamp(since), pd.Timestamp(frame["day"].max()))  # markers only where data is
    events = db.run(shared.lifecycle_events(selected))
    if not events.empty:
        events = events[events["event_date"].between(*span)]
    releases = db.run(queries.release_markers(selected, since))
    if not releases.empty:
        releases = releases[pd.to_datetime(releases["day"]).between(*span)]
    chart = charts_adoption.downloads(frame.dropna(subset=[measure]), measure, events, releases, labels)
panel("downloads", t("adoption.downloads"), query, frame, source="downloads",
      command=f"{RECENT}` / `{HISTORY}", chart=chart,
      help=t("adoption.downloads_help", bucket=t(f"adoption.bucket_{bucket}")))

# Share of the tracked ecosystem
query = queries.ecosystem_share(selected, since, bucket)
share = db.run(query)
panel("share", t("adoption.share"), query, share, source="downloads",
      command=f"{RECENT}` / `{HISTORY}",
      chart=charts_adoption.share(share, labels) if not share.empty else None,
      help=t("adoption.share_help"))

# Growth table
query = queries.growth_table(selected)
growth = db.run(query)
panel("growth", t("adoption.growth"), query, growth, source="downloads",
      command=f"{RECENT}` / `{HISTORY}", help=t("adoption.growth_help"),
      column_config=column_labels("adoption.col_", list(growth.columns)) | {
          c: st.column_config.NumberColumn(t(f"adoption.col_{c}"), format="percent")
          for c in ("wow_growth", "mom_growth", "yoy_growth", "share_28d")} | {
          "downloads_ma28": st.column_config.NumberColumn(t("adoption.col_downloads_ma28"),
                                                          format="localized"),
          "day": st.column_config.DateColumn(t("adoption.col_day"), format="YYYY-MM-DD")})

# Version adoption: curves and lag
packages = db.run(queries.version_packages(selected))
package_names = dict(zip(packages["package_key"], packages["package"], strict=True)) \
    if not packages.empty else {}
package = state.selectbox("pkg", t("adoption.package"), list(package_names),
                          format_func=lambda k: package_names.get(k, k)) or ""
query = queries.version_curves(package, since)
curves = db.run(query)
panel("versions", t("adoption.versions"), query, curves, source="downloads", command=HISTORY,
      chart=charts_adoption.version_curves(curves, labels) if not curves.empty else None,
      help=t("adoption.versions_help"))
query = queries.version_lags(package)
lags = db.run(query)
panel("lags", t("adoption.lags"), query, lags, source="downloads", command=HISTORY,
      help=t("adoption.lags_help"),
      column_config=column_labels("adoption.col_", list(lags.columns)) | {
          c: st.column_config.NumberColumn(t(f"adoption.col_{c}"), format="percent")
          for c in ("peak_share", "latest_share")} | {
          c: st.column_config.DateColumn(t(f"adoption.col_{c}"), format="YYYY-MM-DD")
          for c in ("released_on", "peak_day")})

# Python / OS / installer / CI mix
mix_left, mix_right = st.columns(2)
with mix_left:
    mix_fw = state.selectbox("mixfw", t("filters.framework"), selected or options,
                             format_func=lambda f: names.get(f, f)) or ""
with mix_right:
    dims = {d: t(f"adoption.dim_{d}") for d in queries.MIX_VIEWS}
    dimension = state.selectbox("mix", t("adoption.dimension"), list(dims), "python",
                                format_func=dims.__getitem__) or "python"
keys = db.run(queries.framework_package_keys(mix_fw))
query = queries.download_mix(dimension, list(keys.get("package_key", [])), since)
mix = db.run(query)
folded = frames_adoption.top_categories(mix)
panel("mix", t("adoption.mix", dimension=dims[dimension]), query, mix, source="downloads",
      command=command_for(queries.MIX_VIEWS[dimension][0]),
      chart=charts_adoption.mix(folded, labels) if not folded.empty else None,
      help=t(f"adoption.mix_help_{dimension}", command=command_for("downloads_by_ci")))

# Beyond PyPI: conda, Hugging Face Hub, Stack Overflow and the JavaScript builds on npm
st.header(t("signals.title"), anchor="signals")
st.caption(t("signals.intro"))
signals.hub_panel(selected)
signals.stackoverflow_panel(selected)
signals.npm_panel(selected)
signals.conda_panel(selected)
