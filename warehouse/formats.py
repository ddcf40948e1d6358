"""Query results (Arrow tables) as CSV, Parquet or JSON bytes, the same way everywhere: the SQL
console's downloads, `dltrends sql --format`, and what `dltrends export` writes."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.db import sql_string


def csv_bytes(table: pa.Table) -> bytes:
    """CSV as DuckDB writes it (header row, lists as [a, b], timestamps in UTC), so a console
    download reads like `dltrends export --format csv`."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("result", table)
        with tempfile.TemporaryDirectory(prefix="dltrends-csv-") as folder:
            target = Path(folder) / "result.csv"
            con.execute(f"COPY result TO {sql_string(target)} (FORMAT csv, HEADER)")
            return target.read_bytes()
    finally:
        con.close()


def parquet_bytes(table: pa.Table) -> bytes:
    """Parquet (zstd) keeping every type: lists, timestamps with time zone, decimals."""
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def json_bytes(table: pa.Table) -> bytes:
    """A JSON array of row objects; timestamps in ISO 8601."""
    text = json.dumps(table.to_pylist(), default=_json_value, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
