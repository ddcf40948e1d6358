"""The real-browser tests' helpers: Debian's chromium through Playwright, a free port, artifacts."""

from __future__ import annotations

import os
import shutil
import socket
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
