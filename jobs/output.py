"""Query the published file read-only and print results as a table, CSV or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table

from dltrends.errors import UsageError
from warehouse.db import reader

FORMATS = ("table", "csv", "json")


def require_published(db: Path) -> None:
    if not db.exists():
        raise UsageError(f"no published warehouse at {db}; run `dltrends collect` first")


def run_query(db: Path, query: str) -> pd.DataFrame:
    """Run one query on a read-only connection; SQL errors become UsageError (exit 2)."""
    require_published(db)
    with reader(db) as con:
        try:
            return con.execute(query).df()
        except duckdb.Error as exc:
            raise UsageError(f"query failed: {exc}") from None


def emit(frame: pd.DataFrame, fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        sys.stdout.write("\n")
    else:
        table = Table(show_lines=False)
        for col in frame.columns:
            table.add_column(str(col), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        Console(width=max(120, Console().width)).print(table)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)
