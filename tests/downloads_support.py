"""Helpers for the download tests: pypistats answers on the fake server, small registries, rows."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

from tests.fakeserver import FIXTURES, FakeServer
from warehouse.db import reader

PYPISTATS = FIXTURES / "pypistats"
CLICKPY = FIXTURES / "clickpy"
BIGQUERY = FIXTURES / "bigquery"


def body(name: str) -> dict:
    """A recorded pypistats answer (tests/fixtures/pypistats/<name>.json)."""
    return json.loads((PYPISTATS / f"{name}.json").read_text())


def as_package(answer: dict, package: str) -> dict:
    """The same answer as pypistats would send it for another package name."""
    out = copy.deepcopy(answer)
    out["package"] = package
    return out


def shifted(answer: dict, days: int, drop_before: str | None = None) -> dict:
    """The answer `days` later, as pypistats' moving 180-day window would send it."""
    out = copy.deepcopy(answer)
    rows = []
    for row in out["data"]:
        when = (dt.date.fromisoformat(row["date"]) + dt.timedelta(days=days)).isoformat()
        if drop_before is None or when >= drop_before:
            rows.append({**row, "date": when})
    out["data"] = rows
    return out


def serve_pypistats(server: FakeServer, package: str, *, overall: dict | None = None,
                    python_minor: dict | None = None, system: dict | None = None) -> None:
    for endpoint, answer in (("overall", overall), ("python_minor", python_minor),
                             ("system", system)):
        if answer is not None:
            server.add(f"/api/packages/{package}/{endpoint}", as_package(answer, package))


def write_registry(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "registry.toml"
    path.write_text(text)
    return path


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with reader(db) as con:
        return con.execute(sql, params or []).fetchall()
