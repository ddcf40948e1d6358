"""Releases: timeline with lifecycle events, release cadence, wheel support matrix, and the
release notes of each GitHub release (shown escaped: they are untrusted text)."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, charts_github, charts_signals, db, frames, insight, signals, state
from dashboard.i18n import t
from dashboard.panel import age_text, column_labels, panel
from dashboard.queries import releases as queries
from dashboard.queries import shared
from warehouse.catalogue import command_for

COMMAND = insight.COMMANDS["releases"]
DEFAULT_FRAMEWORKS = ("tensorflow", "pytorch", "jax", "keras", "mxnet", "paddlepaddle", "mindspore")

st.title(t("releases.title"))
st.caption(t("releases.intro"))

names = insight.names()
with_data = set(db.run(queries.frameworks_with_releases()).get("framework", []))
options = [f for f in names if f in with_data] or list(names)
default = [f for f in DEFAULT_FRAMEWORKS if f in options] or options[:6]
years = [str(y) for y in range(2010, dt.datetime.now(dt.UTC).year + 1)]

left, mid, right, last = st.columns([4, 2, 1, 1.4], vertical_alignment="bottom")
with left:
    selected = state.multiselect("fw", t("filters.frameworks"), options, default,
                                 format_func=lambda f: names.get(f, f))
with mid:
    role_labels = {r: t(f"roles.{r}") for r in queries.ROLE_SETS}
    role_set = state.selectbox("pkgs", t("filters.packages"), list(role_labels), "primary",
                               format_func=role_labels.__getitem__)
with right:
    since = state.selectbox("since", t("filters.since"), years, "2015")
with last:
    prereleases = state.toggle("pre", t("filters.prereleases"))

# Release timeline
query = queries.release_timeline(selected, queries.ROLE_SETS[role_set], prereleases, int(since))
releases = db.run(query)
events_query = shared.lifecycle_events(selected)
events = db.run(events_query)
events = events[events["event_date"] >= pd.Timestamp(f"{since}-01-01")] if not events.empty else events
kinds = {k: t(f"kinds.{k}") for k in charts.KIND_COLORS}
labels = {k: t(f"labels.{k}") for k in ("date", "kind", "framework", "package", "version", "event",
                                        "note")} | {"kinds": kinds}
chart = None
if not releases.empty:
    releases["kind_label"] = releases["kind"].map(kinds)
    chart = charts.timeline(releases, events, labels)
    # Releases with known advisories (OSV) get a mark above their tick.
    marked = signals.advisory_marks(releases, selected)
    chart = charts_signals.with_advisories(chart, marked, {k: t(f"signals.col_{k}") for k in (
        "package", "version", "vulnerabilities", "advisories", "severity")})
    if not marked.empty:
        st.caption(t("releases.advisory_marks", n=len(marked)))
panel("timeline", t("releases.timeline"), query, releases, source="pypi", command=COMMAND,
      chart=chart, help=t("releases.timeline_help"))

with st.expander(t("releases.events")):
    st.dataframe(
        events[["framework_name", "event_date", "kind", "note", "source"]] if not events.empty else events,
        hide_index=True, width="stretch",
        column_config={"framework_name": t("labels.framework"), "event_date": t("labels.date"),
                       "kind": t("labels.event"), "note": t("labels.note"),
                       "source": st.column_config.LinkColumn(t("labels.source"))},
    )
    st.caption(t("panel.caption", source=t("source.registry"),
                 age=age_text(db.freshness("registry"))))

# Release cadence
query = queries.release_cadence(selected)
cadence = db.run(query)
chart = None
if not cadence.empty:
    several = cadence.groupby("framework")["package"].transform("count") > 1
    cadence["label"] = cadence["framework_name"].where(
        ~several, cadence["framework_name"] + " · " + cadence["package"])
    chart = charts.cadence(
        cadence.dropna(subset=["median_days"]),
        {k: t(f"labels.{k}") for k in ("days", "package", "count", "median", "latest")},
    )
shown = cadence.drop(columns=["framework", "label"], errors="ignore")
panel("cadence", t("releases.cadence"), query, shown, source="pypi", command=COMMAND, chart=chart,
      help=t("releases.cadence_help"), show_table=True,
      column_config=column_labels("releases.col_", list(shown.columns)))

# Wheel support matrix of the latest release
matrix_fw = state.selectbox("matrix", t("filters.framework"), selected or options,
                            format_func=lambda f: names.get(f, f))
query = queries.latest_release_files(matrix_fw or "")
files = db.run(query)
matrix = frames.support_matrix(files) if not files.empty else pd.DataFrame()
chart = None
if not matrix.empty:
    chart = charts.support_matrix(matrix, {k: t(f"labels.{k}") for k in
                                           ("target", "python", "wheels", "files")},
                                  frames.python_order(matrix))
    latest = files.groupby("package", as_index=False)["version"].first()
    pairs = zip(latest["package"], latest["version"], strict=True)
    st.caption(t("releases.latest", items=", ".join(f"{p} {v}" for p, v in pairs)))
elif not files.empty:
    st.caption(t("releases.source_only", package=files["package"].iloc[0],
                 version=files["version"].iloc[0]))
panel("matrix", t("releases.matrix"), query, matrix if not matrix.empty else files, source="pypi",
      command=COMMAND, chart=chart, help=t("releases.matrix_help"))

# Security: known advisories on the latest releases of the matrix's framework (OSV)
signals.security_panel(matrix_fw or "", names.get(matrix_fw, matrix_fw or ""))

# Release notes from GitHub: counts per release, then one release's items, escaped
NOTES = command_for("github_releases", "release_note_items")
NOTE_COLUMNS = ("breaking_changes", "deprecations", "security_items", "performance_items", "fixes",
                "features")
with_notes = set(db.run(queries.frameworks_with_notes()).get("framework", []))
notes_options = [f for f in (selected or options) if f in with_notes] or \
    [f for f in names if f in with_notes]
notes_fw = state.selectbox("notes", t("releases.notes_framework"), notes_options,
                           format_func=lambda f: names.get(f, f))
query = queries.release_note_counts(notes_fw or "")
notes = db.run(query) if notes_fw else pd.DataFrame()
chart = None
if not notes.empty and notes[list(NOTE_COLUMNS)].to_numpy().sum() > 0:
    chart = charts_github.note_counts(
        notes, {"release": t("labels.version"), "items": t("releases.note_count"),
                "category": t("releases.note_category")},
        {c: t(f"releases.col_{c}") for c in NOTE_COLUMNS})
shown = notes.drop(columns=["url", "release_id"], errors="ignore")
panel("notes", t("releases.notes"), query, shown, source="github", command=NOTES, chart=chart,
      help=t("releases.notes_help"), show_table=True,
      column_config=column_labels("releases.col_", list(shown.columns)))

if not notes.empty:
    tags = list(notes["tag_name"])
    tag = state.selectbox("rel", t("releases.notes_release"), tags, tags[0])
    release = notes[notes["tag_name"] == tag].iloc[0]
    query = queries.release_note_items(int(release["release_id"]))
    items = db.run(query)
    if not items.empty:
        items["category"] = items["category"].map(lambda c: t(f"releases.category_{c}"))
    panel("note_items", t("releases.note_items", tag=tag), query, items, source="github",
          command=NOTES, help=t("releases.note_items_help"),
          column_config=column_labels("releases.col_", list(items.columns)))
    with st.expander(t("releases.notes_body")):
        body = db.run(queries.release_body(int(release["release_id"])))
        st.text(body["body"].iloc[0] if not body.empty and body["body"].iloc[0] else "")
        link = body["url"].iloc[0] if not body.empty else None
        if isinstance(link, str) and link == frames.github_release_url(link):
            st.link_button(t("releases.open_on_github"), link)
