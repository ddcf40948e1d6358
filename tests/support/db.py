"""Reading a warehouse file back in the tests: rows of a query, and whole snapshots to compare."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from warehouse.db import reader

# The public views of the PyPI data, and the tables a PyPI collect writes.
DATA_VIEWS = ("releases", "release_files", "packages", "frameworks", "framework_events")
PYPI_TABLES = ("core.pypi_projects", "core.pypi_releases", "core.pypi_files", "core.fetch_state",
               "core.frameworks", "core.framework_events", "core.packages", "raw.items")


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """The rows of one query, read through the dashboard's reader."""
    with reader(db) as con:
        return con.execute(sql, params or []).fetchall()


def snapshot(db: Path, relations: Iterable[str] = (*PYPI_TABLES, *DATA_VIEWS),
             **selects: str) -> dict[str, list[str]]:
    """Every row of each table or view in `relations` (and of each named SELECT in `selects`),
    sorted: two snapshots are equal when no value changed."""
    with reader(db) as con:
        statements = {**{name: f"SELECT * FROM {name}" for name in relations}, **selects}
        return {name: sorted(map(repr, con.execute(sql).fetchall())) for name, sql in statements.items()}
