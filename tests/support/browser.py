"""The real-browser tests' helpers: Debian's chromium through Playwright, a free port, artifacts."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"  # screenshots


def require_chromium() -> None:
    """Skip the running test where chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: install Debian's chromium package (make test "
                    "does where it can) or set CHROMIUM_PATH to run the real-browser test")
    pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(db: Path, *options: str) -> tuple[subprocess.Popen, int]:
    """`dltrends dashboard` on a free port reading `db`, without the developer's DLTRENDS_* settings;
    the process (its output piped, stderr included) and its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLTRENDS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dltrends", "dashboard", "--port", str(port), *options, "--db", str(db)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc, port
