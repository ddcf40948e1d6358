"""Query results (Arrow tables) as CSV, Parquet or JSON bytes, the same way everywhere: the SQL
console's downloads, `dltrends sql --format`, and what `dltrends export` writes."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse.db import sql_string

# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection); a
# leading quote makes it text. Only for files meant for spreadsheets: `dltrends sql --format csv`
# and `dltrends export` stay faithful to the data.
FORMULA = r"^[=+\-@\t\r]"


def csv_bytes(table: pa.Table, *, guard_formulas: bool = False) -> bytes:
    """CSV as DuckDB writes it (header row, lists as [a, b], timestamps in UTC), so a console
    download reads like `dltrends export --format csv`; with `guard_formulas`, text cells that a
    spreadsheet would run as a formula start with a quote (numbers stay numbers)."""
    table = guarded_table(table) if guard_formulas else table
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


def guarded_table(table: pa.Table) -> pa.Table:
    """`table` with a quote before every text cell that starts like a formula."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.fill_null(pc.match_substring_regex(column, FORMULA), False)
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def guarded_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a quote before every text cell that starts like a formula."""
    def guard(value: Any) -> Any:
        return f"'{value}" if isinstance(value, str) and re.match(FORMULA, value) else value

    text = [c for c in frame.columns
            if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]
    return frame.assign(**{c: frame[c].map(guard) for c in text}) if text else frame


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
