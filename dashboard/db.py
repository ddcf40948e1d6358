"""Read-only access to the published file for the Streamlit pages: settings, cached results.

A connection is opened per query and closed at once (never cached across reruns), so a publish
(atomic rename) is picked up by the next query. Results are cached by (file, mtime, SQL, params):
a new publish changes the mtime and so invalidates every cached result.
The query runner itself, without Streamlit, is `dashboard.queries.run` (`execute` on an open
connection, which the report uses).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.queries import Query
from dashboard.queries import run as run_file
from dltrends.catalogue import ViewDoc
from dltrends.settings import SECRET_FIELDS, Settings, load_settings
from warehouse import catalogue as views
from warehouse.db import reader


def settings() -> Settings:
    """The settings, read again whenever their inputs change (DLTRENDS_* variables, the working
    directory, the settings file's mtime), so a changed DLTRENDS_DB or dltrends.toml is picked up
    at once; parsing them for every query cost a few ms each, dozens of times per page."""
    key = _settings_inputs()
    memo = _SETTINGS.get("value")
    if memo is not None and memo[0] == key:
        return memo[1]
    value = load_settings()
    _SETTINGS["value"] = (key, value)
    return value


_SETTINGS: dict[str, tuple[tuple, Settings]] = {}


def _settings_inputs() -> tuple:
    env = tuple(sorted((k, v) for k, v in os.environ.items()
                       if k.startswith("DLTRENDS_") or k in SECRET_FIELDS.values()))
    config = os.environ.get("DLTRENDS_CONFIG") or "dltrends.toml"
    try:
        stamp = os.stat(config).st_mtime_ns
    except OSError:
        stamp = None
    return env, os.getcwd(), config, stamp


def published() -> Path:
    return settings().db


def available() -> bool:
    return published().exists()


def token() -> tuple[str, int] | None:
    """(path, mtime) of the published file: the key that a publish changes; None when absent."""
    path = published()
    try:
        return str(path), os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


def caching() -> bool:
    """False when DLTRENDS_DASHBOARD_CACHE_TTL is 0: every query and analysis runs afresh
    (perf/pages.py measures the pages this way as its baseline)."""
    return settings().dashboard_cache_ttl > 0


def run(query: Query) -> pd.DataFrame:
    """The query's result, or an empty frame when nothing is published yet."""
    key = token()
    if key is None:
        return pd.DataFrame()
    if not caching():
        return _execute(*key, query.sql, query.params)
    return _runner()(*key, query.sql, query.params)


@st.cache_resource(show_spinner=False)
def _runner():
    """The cached query function, with the TTL from the settings (DLTRENDS_DASHBOARD_CACHE_TTL)."""
    return st.cache_data(ttl=settings().dashboard_cache_ttl, show_spinner=False,
                         max_entries=512)(_execute)


def _execute(path: str, mtime: int, sql: str, params: tuple) -> pd.DataFrame:
    # A private instance per query (dashboard.queries.run): sessions and the warm-up thread query
    # at the same time, and a shared instance would keep serving the file from before a publish.
    return run_file(path, Query(sql, params))


def freshness(source: str) -> dt.datetime | None:
    """End of the source's last successful run (UTC), None when never collected. One (cached)
    read of source_status serves every panel's caption."""
    frame = _status()
    if frame.empty:
        return None
    if source in ("registry", "warehouse"):  # copied into / written by every collect
        when = frame["last_run_at"].max()
    elif source == "downloads":  # the freshest of the download sources
        when = frame.loc[frame["source"].isin(["pypistats", "clickpy", "bigquery"]),
                         "last_success_at"].max()
    else:
        when = frame.loc[frame["source"] == source, "last_success_at"].max()
    return None if pd.isna(when) else pd.Timestamp(when).to_pydatetime()


_STATUS: dict[tuple[str, int] | None, pd.DataFrame] = {}


def _status() -> pd.DataFrame:
    """source_status of the published file, kept per file version (a publish changes the key):
    a page asks for it once per panel, and a cache hit through st.cache_data costs a copy."""
    key = token()
    if not caching() or key not in _STATUS:
        frame = run(Query("SELECT source, last_run_at, last_success_at FROM source_status"))
        if not caching():
            return frame
        _STATUS.clear()  # only the current file version is worth keeping
        _STATUS[key] = frame
    return _STATUS[key]


def catalogue() -> Mapping[str, ViewDoc]:
    """The view catalogue of the published file (its views with their COMMENT texts, examples and
    fill commands), read once per file version like source_status; empty when nothing is published."""
    key = token()
    if key is None:
        return {}
    if not caching() or key not in _CATALOGUE:
        with reader(key[0]) as con:
            docs = views.catalogue(con)
        if not caching():
            return docs
        _CATALOGUE.clear()  # only the current file version is worth keeping
        _CATALOGUE[key] = docs
    return _CATALOGUE[key]


_CATALOGUE: dict[tuple[str, int], Mapping[str, ViewDoc]] = {}
