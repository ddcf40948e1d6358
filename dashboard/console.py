"""The SQL page's runner: user queries in the sandbox (warehouse.sandbox), results cached.

Results are cached by (file, mtime, SQL, limits, hide_paths): a new publish invalidates them.
The cache is bounded by total size (four results at the byte cap, DLTRENDS_SQL_MAX_BYTES) as well
as by entry count and age, oldest use out first. Refusals and errors are not cached (they are
exceptions), so a fixed query reruns at once. The text's size is checked here, before the cache
or a slot; everything else about it (the parse) is the worker's job, under its limits.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

import streamlit as st

from dashboard import db
from warehouse import sandbox

# Queries running at once per dashboard process: each worker may take the memory limit plus
# its interpreter, so a busy team cannot exhaust the machine. Others wait up to their time limit.
CONCURRENT_QUERIES = 2
CACHE_ENTRIES = 64
CACHE_RESULTS_AT_CAP = 4  # the cache holds at most this many results of DLTRENDS_SQL_MAX_BYTES
_slots = threading.BoundedSemaphore(CONCURRENT_QUERIES)


def limits() -> sandbox.Limits:
    return sandbox.Limits.from_settings(db.settings())


def run(sql: str) -> sandbox.Result:
    """The query's result from the sandbox; raises sandbox.SandboxError when refused or failed."""
    path = db.published()
    lim = limits()
    sandbox.check_size(sql, lim)  # before the text is hashed, cached or sent anywhere
    key = (str(path), os.stat(path).st_mtime_ns, sql, lim, hide_paths())
    cache, ttl = _cache(), db.settings().dashboard_cache_ttl
    result = cache.get(key, ttl)
    if result is None:
        result = _execute(path, sql, lim, key[-1])
        if ttl > 0:
            cache.put(key, result, lim.max_bytes * CACHE_RESULTS_AT_CAP)
    return result


def hide_paths() -> bool:
    """True unless only this machine can reach the dashboard: Streamlit listens on a loopback
    address and the request did not come through a proxy (X-Forwarded-For)."""
    address = st.get_option("server.address") or ""  # unset: Streamlit listens everywhere
    try:
        local = address == "localhost" or ipaddress.ip_address(address).is_loopback
    except ValueError:
        local = False
    headers = st.context.headers or {}
    return not local or bool(headers.get("X-Forwarded-For") or headers.get("Forwarded"))


def _execute(path: Path, sql: str, lim: sandbox.Limits, hide: bool) -> sandbox.Result:
    if not _slots.acquire(timeout=lim.seconds):
        raise sandbox.QueryStopped("busy", f"{CONCURRENT_QUERIES} other queries are running; "
                                   "try again in a moment", n=CONCURRENT_QUERIES)
    try:
        return sandbox.run(path, sql, lim, hide_paths=hide)
    finally:
        _slots.release()


class ResultCache:
    """Console results, least recently used out first, within an entry count and a byte budget
    (Arrow's size of each table); entries older than the TTL are not served."""

    def __init__(self, entries: int = CACHE_ENTRIES):
        self.entries = entries
        self._items: OrderedDict[tuple, tuple[float, sandbox.Result]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        return sum(result.table.nbytes for _, result in self._items.values())

    def get(self, key: tuple, ttl: float) -> sandbox.Result | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > ttl:
                self._items.pop(key, None)
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple, result: sandbox.Result, budget: int) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), result)
            self._items.move_to_end(key)
            while len(self._items) > self.entries or (self.nbytes > budget and self._items):
                self._items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _cache() -> ResultCache:
    return ResultCache()
