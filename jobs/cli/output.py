"""Query the published file in the SQL console's sandbox and print results as a table, CSV, JSON
or Parquet; list the example queries and the schema of the public views."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
from rich.console import Console
from rich.table import Table

from dltrends.errors import UsageError
from dltrends.settings import Settings
from jobs.session import require_published
from warehouse import formats, sandbox
from warehouse.catalogue import catalogue, examples
from warehouse.db import reader

FORMATS = ("table", "csv", "json")
RESULT_FORMATS = (*FORMATS, "parquet")


def run_query(settings: Settings, query: str) -> sandbox.Result:
    """Run one console query in the sandbox; refusals and SQL errors raise (exit code 2)."""
    require_published(settings.db)
    return sandbox.run(settings.db, query, sandbox.Limits.from_settings(settings))


def read_query(settings: Settings, query: str) -> str:
    """The query text (`-`: stdin, read no further than the size cap allows)."""
    if query != "-":
        return query
    data = sys.stdin.buffer.read(settings.sql_max_query_bytes + 1)
    return data.decode("utf-8", "replace")


def emit_result(table: pa.Table, fmt: str, out: Path | None = None) -> None:
    """Write a query result to `out` (or stdout) in one of RESULT_FORMATS."""
    if fmt not in RESULT_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(RESULT_FORMATS)}")
    if fmt == "parquet" and out is None and sys.stdout.isatty():
        raise UsageError("Parquet is binary: give --out FILE or redirect stdout to a file")
    if fmt == "table" and out is None:
        _print_table(list(table.column_names), [list(r.values()) for r in table.to_pylist()])
        return
    data = {"csv": formats.csv_bytes, "parquet": formats.parquet_bytes,
            "json": formats.json_bytes}.get(fmt, _table_text)(table)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)


def _table_text(table: pa.Table) -> bytes:
    buffer = io.StringIO()
    _print_table(list(table.column_names), [list(r.values()) for r in table.to_pylist()],
                 Console(file=buffer, width=160))
    return buffer.getvalue().encode("utf-8")


def emit(frame: pd.DataFrame, fmt: str) -> None:
    """Print a small report frame (dltrends status) as a table, CSV or JSON."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        sys.stdout.write("\n")
    else:
        _print_table([str(c) for c in frame.columns], list(frame.itertuples(index=False)))


def _print_table(columns: list[str], rows: list, console: Console | None = None) -> None:
    table = Table(show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    (console or Console(width=max(120, Console().width))).print(table)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if hasattr(value, "tolist"):  # numpy arrays from DataFrames
        return _cell(value.tolist())
    return str(value)


def schema(db: Path) -> pa.Table:
    """Every public view's columns with their types and COMMENT texts."""
    require_published(db)
    with reader(db) as con:
        views = catalogue(con).values()
    rows = [{"view": v.name, "column": c.name, "type": c.type, "comment": c.description or None}
            for v in views for c in v.columns]
    return pa.Table.from_pylist(rows, schema=pa.schema(
        [("view", pa.string()), ("column", pa.string()), ("type", pa.string()),
         ("comment", pa.string())]))


def examples_text() -> str:
    """The example queries, grouped by topic, as one SQL file you can read or run piece by piece."""
    parts, topic = [], None
    for example in examples():
        if example.topic != topic:
            topic = example.topic
            parts.append(f"-- ===== {topic} =====")
        body = example.sql if example.sql.startswith("--") else f"-- {example.title}\n{example.sql}"
        parts.append(f"{body}\n")
    return "\n".join(parts)
