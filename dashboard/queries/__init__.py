"""The dashboard's SQL: one module per page, `shared` for what several pages or the report read.

Every query reads public views only and binds its values as parameters (`?`), never as text.
A page builds a `Query`, hands it to `dashboard.db.run` (cached per published file, Streamlit)
and shows its text under "show SQL". Code outside Streamlit (the report, perf scripts, tests)
runs the same `Query` with `run`, which opens the published file read-only and imports no
Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.db import reader


@dataclass(frozen=True)
class Query:
    """A panel's query: the exact SQL and its bound parameters, shown under "show SQL"."""

    sql: str
    params: tuple = ()

    def text(self) -> str:
        if not self.params:
            return self.sql.strip()
        return f"{self.sql.strip()}\n-- parameters: {list(self.params)!r}"


@dataclass(frozen=True)
class Queries:
    """Several queries behind one panel (a card grid, an analysis): shown one after the other."""

    parts: tuple[Query, ...]

    def text(self) -> str:
        return "\n\n".join(q.text() for q in self.parts)


def execute(con: duckdb.DuckDBPyConnection, query: Query) -> pd.DataFrame:
    """The query's result on an open connection."""
    return con.execute(query.sql, list(query.params)).df()


def run(path: Path | str, query: Query) -> pd.DataFrame:
    """The query's result on the published file `path`, through a private read-only connection
    opened for this query alone (`warehouse.db.reader`), so it always sees the latest publish."""
    with reader(path) as con:
        return execute(con, query)
