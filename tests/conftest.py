"""The suite's fixtures and hooks; what they build on lives in tests/support/."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

import collectors.http
from dltrends.registry import load_registry
from dltrends.settings import SECRET_FIELDS, Settings
from jobs.bench import import_results
from jobs.collect.run import collect
from tests.support.browser import CHROMIUM, require_chromium
from tests.support.clock import COLLECTED_AT, frozen_time
from tests.support.downloads import load_downloads
from tests.support.fakeserver import FIXTURES, FakeServer
from tests.support.github_repos import serve_test_registry
from tests.support.mlperf import mlperf_settings, serve_mlperf
from tests.support.pypi import serve_pypi
from tests.support.settings import make_settings
from tests.support.signals import collect_signals


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def pypi_server(server: FakeServer) -> FakeServer:
    serve_pypi(server)
    return server


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's DLTRENDS_* settings, dltrends.toml or a real sleep."""
    for name in list(os.environ):
        if name.startswith("DLTRENDS_") or name in SECRET_FIELDS.values():
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(collectors.http, "_sleep", lambda seconds: None)


@pytest.fixture
def settings(tmp_path: Path, pypi_server: FakeServer) -> Settings:
    return make_settings(tmp_path, pypi_server)


@pytest.fixture
def registry(settings: Settings):
    return load_registry(settings.registry)


@pytest.fixture(scope="session")
def collected_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published warehouse holding one full collect of every recording (PyPI, MLPerf, the fake
    GitHub), the signal sources' synthetic fixtures on two days (tests/support/signals.py), download
    data and the recorded benchmark results (read it, don't write)."""
    folder = tmp_path_factory.mktemp("warehouse")
    with time_machine.travel(COLLECTED_AT, tick=True), FakeServer() as fake:
        serve_pypi(fake)
        serve_mlperf(fake)
        serve_test_registry(fake)
        cfg = collect_signals(folder, fake)
        cfg = cfg.model_copy(update=mlperf_settings(fake))
        result = collect(cfg, load_registry(cfg.registry), ["mlperf", "github", "github-history"])
        assert result.ok, [s.summary() for s in result.sources]
        load_downloads(cfg, load_registry(cfg.registry), fake)
        recorded = folder / "bench_results.json"
        bench = FIXTURES / "bench" / "results_default_2cores.json.gz"
        recorded.write_bytes(gzip.decompress(bench.read_bytes()))
        assert import_results(cfg, [recorded]).ok
    return cfg.db


@pytest.fixture(autouse=True)
def _as_collected(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that reads the collected warehouse runs at the time it was collected (COLLECTED_AT,
    ticking), in Python and in the readers' SQL `now()` alike: its "last 7 days", "complete
    months" and data ages do not change with the day the suite runs."""
    if not {"collected_warehouse", "warehouse_copy"} & set(request.fixturenames):
        yield
        return
    with time_machine.travel(COLLECTED_AT + dt.timedelta(minutes=5), tick=True):
        yield


@pytest.fixture
def warehouse_copy(tmp_path: Path, collected_warehouse: Path) -> Path:
    """A private copy of the collected warehouse that a test may change."""
    target = tmp_path / "copy" / "dltrends.duckdb"
    target.parent.mkdir()
    shutil.copyfile(collected_warehouse, target)
    return target


@pytest.fixture
def clock(monkeypatch):
    """Time frozen at tests.support.clock.NOW; the patched sleep records each wait (`.waits`)
    and moves time on by it (see `frozen_time`)."""
    with frozen_time(monkeypatch) as traveller:
        yield traveller


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The seconds each (patched) sleep of the HTTP client was asked to wait, in order."""
    slept: list[float] = []
    monkeypatch.setattr(collectors.http, "_sleep", slept.append)
    return slept


@pytest.fixture
def fresh_caches():
    """Streamlit's caches emptied, so a dashboard test reads its own warehouse."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, for the real-browser tests (skipped without it)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run"])
        yield browser
        browser.close()
