"""Serving to a team: `dltrends dashboard` passes Streamlit's production settings, and a real
server honours them (XSRF cookie, base path for a reverse proxy)."""

from __future__ import annotations

import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

import jobs.cli.dashboard
from jobs.cli import app
from tests.support.browser import start_dashboard


def _pairs(argv: list[str]) -> dict[str, str]:
    options = argv[argv.index("run") + 2:]
    return dict(zip(options[::2], options[1::2], strict=True))


def test_dashboard_passes_production_settings(collected_warehouse, monkeypatch):
    calls = []
    monkeypatch.setattr(jobs.cli.dashboard.os, "execvpe", lambda file, argv, env: calls.append((argv, env)))
    result = CliRunner().invoke(app, ["dashboard", "--host", "0.0.0.0", "--port", "9001",
                                      "--base-url-path", "/dltrends/", "--db",
                                      str(collected_warehouse)])
    assert result.exit_code == 0, result.output
    argv, env = calls[0]
    assert argv[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert _pairs(argv) == {
        "--server.address": "0.0.0.0", "--server.port": "9001", "--server.headless": "true",
        "--server.baseUrlPath": "dltrends", "--browser.gatherUsageStats": "false",
        "--server.enableXsrfProtection": "true", "--server.enableCORS": "true",
        "--server.fileWatcherType": "none", "--server.runOnSave": "false",
        "--client.showErrorDetails": "type", "--client.toolbarMode": "viewer",
        "--global.developmentMode": "false"}
    assert env["DLTRENDS_DB"] == str(collected_warehouse.resolve())
    assert "on http://0.0.0.0:9001/dltrends reading" in result.output


@pytest.mark.slow
def test_a_real_server_under_a_base_path_sets_the_xsrf_cookie(collected_warehouse):
    proc, port = start_dashboard(collected_warehouse, "--base-url-path", "dltrends")
    base = f"http://127.0.0.1:{port}/dltrends"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"{base}/_stcore/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("the dashboard did not start")
        assert health.text == "ok"
        assert "_streamlit_xsrf" in health.headers.get("set-cookie", "")
        assert httpx.get(f"{base}/", timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)
