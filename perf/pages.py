"""The insight pages at scale: server-side render time (AppTest) and peak memory of the Overview,
Compare, Framework and Advisor pages on a large synthetic warehouse, with caching against without.

The warehouse is generated here, clearly synthetic (frameworks "Synthetic 00".."Synthetic 14",
repos perf-synthetic/*; perf only, never published): 10 years up to yesterday of 15 frameworks
with 4 counted packages each (60 packages), daily PyPI downloads by total, version (about 35 live
releases per package a day) and Python version, a release every 3 weeks per package, GitHub star
history, monthly commit authors and every issue and PR (for close times and the bus factor),
GitHub releases with notes, Hub, Stack Overflow, npm and conda series, OSV checks and a run log.
It is written with SQL straight into the core tables through the working-file path (migrations and
views as a collect leaves them); the downloads go through the same table the ClickPy backfill fills.

Per page: the first render in a new session right after a publish (empty caches), the first render
of a session after the server's warm-up thread has computed the analysis of the new publish
(dashboard.warmup; its own time is printed too), the first render of a second session (caches
warm), and a filter change, each timed around AppTest.run() (the whole
script run, server side), with the peak memory during the run (the process's resident set, sampled
every 5 ms: its peak, and how far it rose during the run). The baseline is the same page with caching disabled
(DLTRENDS_DASHBOARD_CACHE_TTL=0: every query and analysis runs afresh on every run). No benchmark
results are generated (the performance criterion shows "no data"); everything else has data.

    .venv/bin/python perf/pages.py [--frameworks 3] [--keep DIR]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dltrends.registry import load_registry  # noqa: E402
from perf.pages_data import generate  # noqa: E402
from warehouse.db import open_working  # noqa: E402
from warehouse.publish import checkpoint  # noqa: E402
from warehouse.registry import save_registry  # noqa: E402

FRAMEWORKS = 15
GOAL_FIRST, GOAL_FILTER = 1.0, 0.3


def registry_text(frameworks: int) -> str:
    """15 synthetic frameworks, each with a primary and three variant packages and every signal."""
    targets = ['["server", "desktop"]', '["server", "desktop", "mobile", "edge"]',
               '["server", "browser"]', '["mobile", "edge", "embedded"]']
    statuses = ["active"] * 10 + ["maintenance", "retired", "active", "archived", "active"]
    parts = []
    for f in range(frameworks):
        fid = f"fw{f:02d}"
        npm = f'npm = ["{fid}-js"]\n' if f % 3 == 0 else ""
        parts.append(
            f'[frameworks.{fid}]\nname = "Synthetic {f:02d}"\npypi = ["{fid}"]\n'
            f'pypi_variants = ["{fid}-cpu", "{fid}-gpu", "{fid}-arm"]\n'
            f'github = ["perf-synthetic/{fid}"]\nhf_library = "{fid}"\n'
            f'stackoverflow_tags = ["{fid}"]\nconda = ["{fid}"]\n{npm}'
            f'status = "{statuses[f % len(statuses)]}"\n'
            f'deployment = {targets[f % len(targets)]}\n'
            f'deployment_source = "https://example.org/perf-synthetic/{fid}"\n')
    return "\n".join(parts)


def build(folder: Path, frameworks: int) -> Path:
    path = folder / "pages.duckdb"
    reg = folder / "registry.toml"
    reg.write_text(registry_text(frameworks))
    con = open_working(path)
    try:
        save_registry(con, load_registry(reg))
        generate(con, dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1))
    finally:
        con.close()
    checkpoint(path)
    return path


# Measuring ------------------------------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    rss_mb: float  # peak resident set size during the run
    growth_mb: float  # how far it rose above the resident size at the start of the run


class PeakRss:
    """Highest resident set size seen while running (Linux /proc; 0 elsewhere)."""

    def __init__(self) -> None:
        self.peak = self.start = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _rss() -> int:
        try:
            return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            return 0

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def timed(at) -> Run:
    with PeakRss() as rss:
        start = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page failed: {[e.value for e in at.exception]}")
    return Run(seconds, rss.peak / 1e6, (rss.peak - rss.start) / 1e6)


PAGES = {  # name -> (page file, query parameters, the filter change)
    "overview": ("app_pages/overview.py", {}, lambda at: at.toggle(key="_w_retired").set_value(False)),
    "compare": ("app_pages/compare.py", {},
                lambda at: at.multiselect(key="_w_fw").set_value(["fw00", "fw01", "fw02", "fw05"])),
    "framework": ("app_pages/framework.py", {"fw": "fw00"},
                  lambda at: at.selectbox(key="_w_fw").set_value("fw03")),
    "advisor": ("app_pages/advisor.py", {},
                lambda at: at.slider(key="_w_w_momentum").set_value(60)),
}


def session(page: str, params: dict[str, str]):
    from tests.support.dashboard import app_test

    at = app_test("en", timeout=300, **params)
    at.switch_page(page)
    return at


def measure(name: str, cache: bool) -> dict[str, Run]:
    """First render after a publish, a second session's first render, and a filter change."""
    import streamlit as st

    from dashboard import warmup

    os.environ["DLTRENDS_DASHBOARD_CACHE_TTL"] = "300" if cache else "0"
    page, params, change = PAGES[name]
    st.cache_data.clear()
    st.cache_resource.clear()
    first = session(page, params)
    out = {"first": timed(first)}
    if cache:  # what a visitor meets once the server's warm-up (dashboard.warmup) has run
        st.cache_data.clear()
        st.cache_resource.clear()
        seconds = warmup.warm()
        out["warm-up"] = Run(seconds, 0.0, 0.0)
        out["after warm-up"] = timed(session(page, params))
    out["second session"] = timed(session(page, params))
    change(first)
    out["filter change"] = timed(first)
    return out


def report(results: dict[str, dict[bool, dict[str, Run]]]) -> None:
    print(f"{'page':10s} {'render':16s} {'cached':>9s} {'uncached':>9s} {'peak RSS':>9s} "
          f"{'RSS rise':>9s}  goal")
    for name, by_cache in results.items():
        for what in ("first", "warm-up", "after warm-up", "second session", "filter change"):
            cached, base = by_cache[True][what], by_cache[False].get(what)
            if base is None:  # the warm-up and what follows it exist only with caching
                if what == "warm-up":
                    print(f"{name:10s} {what:16s} {cached.seconds:8.2f}s {'':>9s}  "
                          "(server background thread, after each publish)")
                    continue
                base = by_cache[False]["first"]
            goal = GOAL_FILTER if what == "filter change" else GOAL_FIRST
            verdict = "ok" if cached.seconds <= goal else f"over {goal:g} s"
            print(f"{name:10s} {what:16s} {cached.seconds:8.2f}s {base.seconds:8.2f}s "
                  f"{cached.rss_mb:6.0f} MB {cached.growth_mb:6.0f} MB  {verdict}")


def main() -> None:
    import streamlit.logger

    streamlit.logger.set_log_level("error")  # AppTest outside a server warns about its context
    frameworks = int(sys.argv[sys.argv.index("--frameworks") + 1]) if "--frameworks" in sys.argv \
        else FRAMEWORKS
    keep = Path(sys.argv[sys.argv.index("--keep") + 1]) if "--keep" in sys.argv else None
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        path = folder / "pages.duckdb"
        if not path.exists():
            path = build(folder, frameworks)
        describe(path, time.perf_counter() - start)
        os.environ["DLTRENDS_DB"] = str(path)
        for name in PAGES:  # warm the process (imports, first DuckDB open): a running server
            measure(name, cache=True)
        results = {name: {c: measure(name, c) for c in (True, False)} for name in PAGES}
        print("server-side render (AppTest.run, whole script), cached against caching disabled")
        report(results)


def describe(path: Path, seconds: float) -> None:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT count(*) FROM core.pypi_downloads").fetchall()[0][0]
        packages = con.execute("SELECT count(*) FROM core.packages").fetchall()[0][0]
        first, last = con.execute("SELECT min(day), max(day) FROM core.pypi_downloads").fetchall()[0]
    finally:
        con.close()
    print(f"synthetic warehouse (perf only): {packages} packages, downloads {first} .. {last}, "
          f"{rows:,} download rows, {path.stat().st_size / 1e6:.0f} MB, built in {seconds:.0f} s")


if __name__ == "__main__":
    main()
