"""Shared fixtures: the fake server with the PyPI recordings, settings pointing at it, warehouses."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import time_machine

import collectors.http
from dltrends.registry import load_registry
from dltrends.settings import SECRET_FIELDS, Settings, load_settings
from jobs.bench import import_results
from jobs.collect.run import collect
from tests.fakeserver import FIXTURES, FakeServer
from tests.mlperf_support import mlperf_settings, serve_mlperf

PYPI_FIXTURES = FIXTURES / "pypi_json"
TEST_REGISTRY = FIXTURES / "frameworks.test.toml"
# When the collected warehouse is collected, and "now" for the tests that read it: the day the
# recordings were made (tests.github_support.NOW), so its answers never depend on the run's date.
COLLECTED_AT = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


@cache
def pypi_recordings() -> dict[str, tuple[Path, int]]:
    """Package key -> (recording file, its last_serial), for every recorded project JSON."""
    out = {}
    for path in sorted(PYPI_FIXTURES.glob("project_*.json*")):
        key = path.name.removeprefix("project_").split(".json")[0].lower()
        out[key] = (path, load_json(path)["last_serial"])
    return out


def load_json(path: Path) -> dict:
    data = path.read_bytes()
    return json.loads(gzip.decompress(data) if path.suffix == ".gz" else data)


def serve_pypi(server: FakeServer, *, serial_header: bool = True) -> None:
    """Serve every recording at /pypi/<name>/json, as PyPI does (ETag, X-PyPI-Last-Serial)."""
    for key, (path, serial) in pypi_recordings().items():
        headers = {"X-PyPI-Last-Serial": str(serial)} if serial_header else {}
        server.add_file(f"/pypi/{key}/json", path, headers=headers)


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


def make_settings(tmp_path: Path, server: FakeServer | None = None, **overrides) -> Settings:
    values = {
        "db": tmp_path / "data" / "dltrends.duckdb",
        "registry": TEST_REGISTRY,
        "pypi_url": server.url if server else "http://127.0.0.1:9",
        "github_api_url": server.url if server else "http://127.0.0.1:9",
        "github_git_url": "",  # tests that clone point it at a local folder
        "http_retries": 2,
        "lock_timeout": 2.0,
        "concurrency": 4,
    }
    return load_settings(**{**values, **overrides})


@pytest.fixture
def settings(tmp_path: Path, pypi_server: FakeServer) -> Settings:
    return make_settings(tmp_path, pypi_server)


@pytest.fixture
def registry(settings: Settings):
    return load_registry(settings.registry)


@pytest.fixture(scope="session")
def collected_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published warehouse holding one full collect of every recording (PyPI, MLPerf, the fake
    GitHub), the signal sources' synthetic fixtures on two days (tests/signals_support.py), download
    data and the recorded benchmark results (read it, don't write)."""
    from tests.signals_support import collect_signals

    folder = tmp_path_factory.mktemp("warehouse")
    from tests.github_data import serve_test_registry

    with time_machine.travel(COLLECTED_AT, tick=True), FakeServer() as fake:
        serve_pypi(fake)
        serve_mlperf(fake)
        serve_test_registry(fake)
        cfg = collect_signals(folder, fake)
        cfg = cfg.model_copy(update=mlperf_settings(fake))
        result = collect(cfg, load_registry(cfg.registry), ["mlperf", "github", "github-history"])
        assert result.ok, [s.summary() for s in result.sources]
        from tests.downloads_support import load_downloads

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
    """Time frozen at tests.github_support.NOW; the patched sleep records each wait (`.waits`)
    and moves time on by it (see `frozen_time`)."""
    from tests.github_support import frozen_time

    with frozen_time(monkeypatch) as traveller:
        yield traveller


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, for the real-browser tests (skipped without it)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: install Debian's chromium package (make test "
                    "does where it can) or set CHROMIUM_PATH to run the real-browser test")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run"])
        yield browser
        browser.close()
