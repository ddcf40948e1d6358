"""The SQL page's runner: user queries in the sandbox (warehouse.sandbox), results cached.

Results are cached like panel queries, by (file, mtime, SQL, limits): a new publish invalidates
them. Refusals and errors are not cached (they are exceptions), so a fixed query reruns at once.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st

from dashboard import db
from warehouse import sandbox

# Queries running at once per dashboard process: each worker may take the memory limit plus
# its interpreter, so a busy team cannot exhaust the machine. Others wait up to their time limit.
CONCURRENT_QUERIES = 2
_slots = threading.BoundedSemaphore(CONCURRENT_QUERIES)


def limits() -> sandbox.Limits:
    return sandbox.Limits.from_settings(db.settings())


def run(sql: str) -> sandbox.Result:
    """The query's result from the sandbox; raises sandbox.SandboxError when refused or failed."""
    path = db.published()
    lim = limits()
    return _runner()(str(path), os.stat(path).st_mtime_ns, sql,
                     (lim.seconds, lim.memory_mb, lim.threads, lim.max_rows))


@st.cache_resource(show_spinner=False)
def _runner():
    return st.cache_data(ttl=db.settings().dashboard_cache_ttl, show_spinner=False,
                         max_entries=64)(_execute)


def _execute(path: str, mtime: int, sql: str, limits: tuple) -> sandbox.Result:
    lim = sandbox.Limits(*limits)
    sandbox.check(sql)  # a refusal needs no slot
    if not _slots.acquire(timeout=lim.seconds):
        raise sandbox.QueryStopped("busy", f"{CONCURRENT_QUERIES} other queries are running; "
                                   "try again in a moment", n=CONCURRENT_QUERIES)
    try:
        return sandbox.run(Path(path), sql, lim)
    finally:
        _slots.release()
