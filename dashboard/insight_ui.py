"""Formatting shared by the insight pages (Overview, Compare, Framework,
Advisor): numbers, percentages, "no data" with the command that fills it, links between pages."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n import t
from dashboard.insight import COMMANDS
from dashboard.panel import column_labels

FRAMEWORK_PAGE = "app_pages/framework.py"


def missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def number(value: object) -> str:
    """12345678 -> '12.3M'; 'no data' when missing."""
    if missing(value):
        return t("insight.no_data")
    value = float(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:,.0f}" if value == int(value) else f"{value:.2f}"


def percent(value: object, signed: bool = True) -> str | None:
    """0.123 -> '+12.3%'; None when missing (st.metric then shows no delta)."""
    if missing(value):
        return None
    return f"{float(value):+.1%}" if signed else f"{float(value):.1%}"


def no_data_help(signal: str) -> str:
    return t("insight.fill", command=COMMANDS[signal])


def signal_label(signal: str) -> str:
    return t(f"insight.signal_{signal}")



def page_url(path: str, **params: str) -> str:
    """A relative link to another page with its filters (works under --base-url-path too)."""
    query = "&".join(f"{k}={v}" for k, v in params.items() if k != "anchor")
    anchor = f"#{params['anchor']}" if "anchor" in params else ""
    return f"./{path}{'?' + query if query else ''}{anchor}"


def note_text(note: object) -> str:
    """A momentum row's note ('short', 'stale') in words; empty when there is none."""
    return t(f"insight.note_{note}") if isinstance(note, str) else ""


def momentum_columns(columns: list[str]) -> dict[str, Any]:
    """Column config of a momentum table (Overview, Framework): labels, growth and share as
    percentages, the level as a number, the as-of day as a date."""
    return column_labels("overview.col_", columns) | {
        c: st.column_config.NumberColumn(t(f"overview.col_{c}"), format="percent")
        for c in ("growth_30d", "growth_90d", "growth_365d", "share")} | {
        "level": st.column_config.NumberColumn(t("overview.col_level"), format="localized"),
        "as_of": st.column_config.DateColumn(t("overview.col_as_of"), format="YYYY-MM-DD")}
