"""The panel helper every page uses: title, chart or table, source and freshness caption,
CSV and PNG downloads, a "show SQL" expander with the exact query, and empty states that say
which command fills them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import db
from dashboard.charts import Caption, to_png
from dashboard.i18n import t
from dashboard.queries import Queries, Query
from dashboard.state import language
from warehouse import formats


def age_text(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    if when is None:
        return t("time.never")
    seconds = ((now or dt.datetime.now(dt.UTC)) - when).total_seconds()
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return t(f"time.{unit}_ago", n=int(seconds // size))
    return t("time.just_now")


def caption(source: str | tuple[str, ...]) -> str:
    """'Source: PyPI JSON API, collected 2 hours ago'; several sources each with their age."""
    if isinstance(source, tuple):
        parts = [t("panel.source_age", source=t(f"source.{s}"), age=age_text(db.freshness(s)))
                 for s in source]
        return t("panel.caption_many", sources=t("panel.separator").join(parts))
    return t("panel.caption", source=t(f"source.{source}"), age=age_text(db.freshness(source)))


def column_labels(prefix: str, columns: list[str], **special: Any) -> dict[str, Any]:
    """Translated display names for table columns: `prefix` + column name in the locale files."""
    return {c: special.get(c, t(f"{prefix}{c}")) for c in columns}


def empty_state(command: str) -> None:
    st.info(t("empty.run_command", command=command), icon=":material/info:")


def panel(key: str, title: str, query: Query | Queries, frame: pd.DataFrame, *,
          source: str | tuple[str, ...], command: str, chart: alt.TopLevelMixin | None = None,
          help: str | None = None, show_table: bool = False,
          column_config: dict[str, Any] | None = None,
          body: Callable[[pd.DataFrame], None] | None = None, nothing: str | None = None) -> None:
    """Render one panel; `command` is what a user runs when the panel is empty.

    The CSV download keeps the query's column names; `column_config` only changes the display.
    `body` draws the panel's content itself (cards, evidence) from `frame` instead of a chart or
    table; `source` may name several sources, each shown with its age. `nothing` is said instead
    of the empty state when the data is there and nothing matched (no release this week).
    """
    with st.container(border=True):
        st.subheader(title, help=help, anchor=key)
        if frame.empty and nothing:
            st.caption(nothing)
        elif frame.empty:
            empty_state(command)
        elif body is not None:
            body(frame)
        else:
            if chart is not None:
                st.altair_chart(chart, width="stretch")
            if chart is None or show_table:
                st.dataframe(frame, hide_index=True, width="stretch",
                             column_config=_with_date_formats(frame, column_config or {}))
        said = caption(source)
        st.caption(said)
        _actions(key, title, query, frame, chart, said)


def _with_date_formats(frame: pd.DataFrame, config: dict[str, Any]) -> dict[str, Any]:
    """Show timestamps as 'YYYY-MM-DD HH:mm' (UTC) unless a column already has a config."""
    out = dict(config)
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]) and not _is_column(out.get(col)):
            out[col] = st.column_config.DatetimeColumn(out.get(col, col), format="YYYY-MM-DD HH:mm")
    return out


def _is_column(value: Any) -> bool:
    return isinstance(value, dict)


def _actions(key: str, title: str, query: Query | Queries, frame: pd.DataFrame,
             chart: alt.TopLevelMixin | None, source: str) -> None:
    name = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    left, right, _ = st.columns([1, 1, 4])
    # The CSV is built when someone downloads it, not on every run of the page
    left.download_button(t("panel.download_csv"),
                         lambda: formats.guarded_frame(frame).to_csv(index=False).encode("utf-8"),
                         file_name=f"dltrends-{name}.csv", mime="text/csv", key=f"csv_{key}",
                         disabled=frame.empty, on_click="ignore", icon=":material/download:")
    if chart is not None:
        # A picture shared on its own says what it shows, where it comes from and when
        shared = Caption(title, source, dt.datetime.now(dt.UTC))
        right.download_button(t("panel.download_png"),
                              lambda: to_png(chart, language(), caption=shared),
                              file_name=f"dltrends-{name}.png", mime="image/png",
                              key=f"png_{key}", disabled=frame.empty, on_click="ignore",
                              icon=":material/image:")
    with st.expander(t("panel.show_sql")):
        st.code(query.text(), language="sql")
