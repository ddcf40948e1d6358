"""SQL: a read-only console over the published file, with example queries and the schema browser.

The query lives in the URL (?q=...), so a link shares it; a link fills the editor and waits for
a click on Run (a link must not make its reader run a query unseen). The query runs in
warehouse.sandbox (one read-only SELECT, no files, time, memory, row and byte limits), and its
result downloads as CSV (text that a spreadsheet would run as a formula starts with a quote) or
Parquet.
"""

import itertools
import re
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard import console, db, state
from dashboard.i18n import t
from dashboard.panel import age_text
from warehouse import formats
from warehouse.catalogue import COLLECT, examples
from warehouse.sandbox import SandboxError, check_size

EDITOR = "_w_q"
RAN = "_sql_ran"  # the text this session chose to run (Run or an example), never a link's
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")

st.title(t("sql.title"))


def _mb(size: int) -> str:
    return f"{size / 1e6:,.2f}".rstrip("0").rstrip(".")


limits = console.limits()
st.caption(t("sql.intro", seconds=f"{limits.seconds:g}", memory=limits.memory_mb,
             rows=f"{limits.max_rows:,}", mb=_mb(limits.max_bytes)))


def _use_example(sql: str) -> None:
    st.session_state[EDITOR] = st.session_state[RAN] = sql
    st.query_params["q"] = sql


def _topic(topic: str) -> str:
    text = t(f"sql.topic_{topic}")
    return topic.replace("_", " ").capitalize() if text == f"sql.topic_{topic}" else text


def _error_text(exc: SandboxError) -> str:
    """The translated refusal; its details quote the user's SQL, so they are escaped (a shared
    link must not be able to render a live link or markup in the message)."""
    key = f"sql.err_{exc.code}"
    params = {k: _escaped(str(v)) for k, v in exc.params.items()}
    text = t(key, **params)
    return _escaped(str(exc)) if text == key else text


def _escaped(text: str) -> str:
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _schema_browser() -> None:
    st.subheader(t("sql.schema"), help=t("sql.schema_help"))
    views = db.catalogue()
    if not views:
        st.info(t("empty.run_command", command=COLLECT))
        return
    st.caption(t("panel.caption", source=t("source.published"),
                 age=age_text(db.freshness("warehouse"))))
    labels = {"column_name": t("sql.col_column"), "data_type": t("sql.col_type"),
              "comment": t("sql.col_comment")}
    for view in views.values():
        columns = pd.DataFrame([(c.name, c.type, c.description or None) for c in view.columns],
                               columns=list(labels))
        with st.expander(view.name):
            st.caption(view.description)
            st.dataframe(columns, hide_index=True, width="stretch", column_config=labels)


def _examples() -> None:
    for topic, items in itertools.groupby(examples(), key=lambda e: e.topic):
        st.markdown(f"**{_topic(topic)}**")
        for i, example in enumerate(items):
            st.button(example.title, key=f"ex_{example.view}_{i}", on_click=_use_example,
                      args=(example.sql,), help=t("sql.example_help", view=example.view),
                      icon=":material/play_arrow:")


def _share_link(sql: str) -> str:
    base = st.context.url or "/sql"
    return f"{base}?{urlencode({'q': sql, 'lang': state.language()})}"


def _result(sql: str) -> None:
    try:
        with st.spinner(t("sql.running")):
            result = console.run(sql)
    except SandboxError as exc:
        st.error(_error_text(exc), icon=":material/block:")
        return
    st.dataframe(result.table, hide_index=True, width="stretch")
    st.caption(t("sql.result", rows=f"{result.rows:,}", seconds=f"{result.seconds:.2f}"))
    if result.cut == "bytes":
        st.warning(t("sql.truncated_bytes", rows=f"{result.rows:,}", mb=_mb(limits.max_bytes)))
    elif result.truncated:
        st.warning(t("sql.truncated", rows=f"{limits.max_rows:,}"))
    name = re.sub(r"[^a-z0-9]+", "-", sql.lower())[:40].strip("-") or "query"
    with st.container(horizontal=True):
        st.download_button(t("panel.download_csv"),
                           lambda: formats.csv_bytes(result.table, guard_formulas=True),
                           file_name=f"dltrends-{name}.csv", mime="text/csv", key="sql_csv",
                           on_click="ignore", icon=":material/download:")
        st.download_button(t("sql.download_parquet"),
                           lambda: formats.parquet_bytes(result.table),
                           file_name=f"dltrends-{name}.parquet",
                           mime="application/vnd.apache.parquet", key="sql_parquet",
                           on_click="ignore", icon=":material/download:")
    with st.expander(t("sql.share")):
        st.caption(t("sql.share_help"))
        st.code(_share_link(sql), language=None, wrap_lines=True)


editor_col, schema_col = st.columns([3, 1.4], gap="large")
with schema_col:
    _schema_browser()
with editor_col:
    current = st.query_params.get("q", "")
    try:
        check_size(current, limits)
    except SandboxError as exc:  # a link too long to read: refused before it fills the editor
        st.error(_error_text(exc), icon=":material/block:")
        current = ""
    if EDITOR not in st.session_state:
        st.session_state[EDITOR] = current
    with st.expander(t("sql.examples"), expanded=not current, icon=":material/menu_book:"):
        _examples()
    text = st.text_area(t("sql.editor"), key=EDITOR, height=200,
                        placeholder="SELECT framework, count(*) FROM releases GROUP BY ALL")
    if st.button(t("sql.run"), type="primary", icon=":material/play_arrow:"):
        st.query_params["q"] = current = st.session_state[RAN] = text
    if current.strip() and st.session_state.get(RAN) == current:
        _result(current)
    elif current.strip():
        st.info(t("sql.from_link"), icon=":material/link:")
    else:
        st.caption(t("sql.empty"))
