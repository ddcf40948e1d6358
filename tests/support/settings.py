"""Settings for the tests: the test registry, every URL pointed at a fake server."""

from __future__ import annotations

from pathlib import Path

from dltrends.settings import Settings, load_settings
from tests.support.fakeserver import FIXTURES, FakeServer

TEST_REGISTRY = FIXTURES / "frameworks.test.toml"


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


def write_registry(tmp_path: Path, text: str) -> Path:
    """A registry file holding `text`, in tmp_path."""
    path = tmp_path / "registry.toml"
    path.write_text(text)
    return path
