"""State kept in the URL (st.query_params), so any view can be linked and shared.

Widgets built here read their initial value from the URL and write it back on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dashboard.i18n import DEFAULT, LANGUAGES

LANG = "lang"


def language() -> str:
    """The session's language: ?lang= wins, then the last choice, then English."""
    lang = st.query_params.get(LANG) or st.session_state.get(LANG) or DEFAULT
    return lang if lang in LANGUAGES else DEFAULT


def language_switch(label: str) -> str:
    current = language()
    choice = st.sidebar.selectbox(label, list(LANGUAGES), index=list(LANGUAGES).index(current),
                                  format_func=LANGUAGES.__getitem__, key="_lang_widget")
    st.session_state[LANG] = choice
    st.query_params[LANG] = choice
    return choice


def _initial(key: str, default: Any) -> Any:
    return st.query_params.get(key, default)


def multiselect(key: str, label: str, options: Sequence[str], default: Sequence[str],
                format_func: Callable[[str], str] = str, **kwargs: Any) -> list[str]:
    """A multiselect whose value lives in ?key=a,b,c."""
    raw = _initial(key, None)
    initial = [v for v in raw.split(",") if v in options] if raw else list(default)
    widget = f"_w_{key}"
    if widget not in st.session_state or not set(st.session_state[widget]) <= set(options):
        st.session_state[widget] = initial
    value = st.multiselect(label, options, key=widget, format_func=format_func, **kwargs)
    st.query_params[key] = ",".join(value)
    return value


def selectbox(key: str, label: str, options: Sequence[str], default: str | None = None,
              format_func: Callable[[str], str] = str, **kwargs: Any) -> str | None:
    """A selectbox whose value lives in ?key=value."""
    if not options:
        return None
    raw = _initial(key, default)
    widget = f"_w_{key}"
    if widget not in st.session_state or st.session_state[widget] not in options:
        st.session_state[widget] = raw if raw in options else options[0]
    value = st.selectbox(label, options, key=widget, format_func=format_func, **kwargs)
    st.query_params[key] = value
    return value


def toggle(key: str, label: str, default: bool = False, **kwargs: Any) -> bool:
    """A toggle whose value lives in ?key=1 or ?key=0."""
    widget = f"_w_{key}"
    if widget not in st.session_state:
        raw = _initial(key, None)
        st.session_state[widget] = default if raw is None else raw == "1"
    value = st.toggle(label, key=widget, **kwargs)
    st.query_params[key] = "1" if value else "0"
    return value


def slider(key: str, label: str, min_value: int, max_value: int, default: int, step: int = 1,
           **kwargs: Any) -> int:
    """An integer slider whose value lives in ?key=N (out-of-range or odd values fall back)."""
    widget = f"_w_{key}"
    if widget not in st.session_state:
        raw = _initial(key, None)
        try:
            value = int(raw) if raw is not None else default
        except ValueError:
            value = default
        st.session_state[widget] = value if min_value <= value <= max_value else default
    value = st.slider(label, min_value, max_value, step=step, key=widget, **kwargs)
    st.query_params[key] = str(value)
    return value
