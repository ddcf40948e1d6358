"""Cache warming: compute the insight pages' analysis as soon as a new publish appears.

The analysis behind the Overview, Compare, Framework and Advisor pages reads every signal of every
framework once per published file (dashboard.insight caches it per file version). Without warming,
the first visitor after each publish pays for that (seconds on a large warehouse). The dashboard
server instead runs one daemon thread that watches the published file's version (path, mtime) and,
when it changes, calls the same cached functions the pages call, so that visitors find them done.
It warms again when the cached results expire (DLTRENDS_DASHBOARD_CACHE_TTL), checking every
POLL_SECONDS.

It only fills caches: a page computes anything still missing itself, as without the thread, and
with caching disabled (DLTRENDS_DASHBOARD_CACHE_TTL=0) the thread does nothing.
"""

from __future__ import annotations

import logging
import threading
import time

from streamlit import runtime
from streamlit.logger import get_logger
from streamlit.runtime.scriptrunner_utils import script_run_context

from dashboard import db, insight

log = get_logger(__name__)  # Streamlit's handler and level: the lines show in the server's output
POLL_SECONDS = 15.0
THREAD = "dltrends-warmup"


def warm() -> float:
    """Compute every cached analysis of the current published file; returns the seconds spent."""
    start = time.perf_counter()
    registry = insight.registry()
    frameworks = list(registry["framework"]) if not registry.empty else []
    insight.cards()
    insight.momentum()
    insight.health()
    insight.framework_facts()  # the Advisor and Framework pages
    insight.framework_facts(tuple(sorted(insight.slider_weights().items())))  # the Overview's
    insight.movers(insight.CHANGE_DAYS)
    insight.weekly_share()
    insight.first_releases()
    insight.all_events()
    insight.recent_releases()
    insight.glance()
    insight.speed()
    for signal in insight.COMPARE_SIGNALS:
        insight.compare_all(signal)
    for framework in frameworks:
        insight.findings(framework)
        for signal in insight.FORECAST_SIGNALS:
            insight.outlook(framework, signal)
    return time.perf_counter() - start


def _watch() -> None:
    done: tuple[str, int] | None = None
    warmed_at = 0.0
    while True:
        try:
            key = db.token()
            expired = time.monotonic() - warmed_at >= db.settings().dashboard_cache_ttl
            if key is not None and db.caching() and (key != done or expired):
                seconds = warm()
                log.info("dashboard caches warmed for %s in %.1f s", key[0], seconds)
                done, warmed_at = key, time.monotonic()
        except Exception:  # a publish racing the reads, a broken file: pages report it themselves
            log.warning("cache warm-up failed; pages compute on demand", exc_info=True)
            done, warmed_at = db.token(), time.monotonic()
        time.sleep(POLL_SECONDS)


class _NoContextWarning(logging.Filter):
    """Streamlit warns on every cached call made outside a session's script thread; this thread
    has no session by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD


_started: list[threading.Thread] = []
_lock = threading.Lock()


def start() -> threading.Thread | None:
    """Start this server's one watcher thread (later calls return it). Nothing outside a running
    Streamlit server (AppTest, bare mode): there a page computes what it needs itself."""
    if not runtime.exists():
        return None
    with _lock:
        if not _started:
            logging.getLogger(script_run_context.__name__).addFilter(_NoContextWarning())
            thread = threading.Thread(target=_watch, name=THREAD, daemon=True)
            thread.start()
            _started.append(thread)
        return _started[0]
