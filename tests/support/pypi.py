"""The recorded PyPI project JSON (tests/fixtures/pypi_json), and serving it as PyPI does."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

from tests.support.fakeserver import FIXTURES, FakeServer

PYPI_FIXTURES = FIXTURES / "pypi_json"


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


def recorded_releases(key: str) -> int:
    """How many releases the recording of one package lists."""
    return len(load_json(pypi_recordings()[key][0])["releases"])
