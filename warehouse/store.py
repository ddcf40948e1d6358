"""The write path: raw landing, bulk upserts by natural key, fetch state.

Typed tables are written in bulk from DataFrames: the batch is de-duplicated by the table's declared
primary key (last row wins), then `INSERT ... ON CONFLICT (key) DO UPDATE` sets the non-key columns
of rows whose values differ. Unchanged rows are not rewritten, so a repeated load writes nothing
and the returned count is the number of rows really inserted or changed.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import duckdb
import pandas as pd

from dltrends import __version__

_batch_ids = itertools.count()


class Landable(Protocol):
    """What the warehouse needs of a fetched item (collectors.base.RawItem fits)."""

    source: str
    stream: str
    key: str
    fetched_at: Any
    cursor: str | None
    etag: str | None
    payload: dict[str, Any] | None


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> declared type, in table order."""
    schema, name = table.split(".")
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? ORDER BY column_index", [schema, name]
    ).fetchall()
    if not rows:
        raise ValueError(f"no table {table}")
    return dict(rows)


def primary_key(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The table's declared primary key columns."""
    schema, name = table.split(".")
    row = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE schema_name = ? AND table_name = ? AND constraint_type = 'PRIMARY KEY'",
        [schema, name],
    ).fetchall()
    if not row:
        raise ValueError(f"{table} declares no primary key")
    return list(row[0][0])


def upsert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Insert or update `frame` into `table` by its primary key; returns rows inserted or changed."""
    if frame.empty:
        return 0
    key = primary_key(con, table)
    types = table_columns(con, table)
    unknown = set(frame.columns) - set(types)
    if unknown:
        raise ValueError(f"{table} has no column(s) {sorted(unknown)}")
    frame = frame.drop_duplicates(subset=key, keep="last")
    cols = list(frame.columns)
    rest = [c for c in cols if c not in key]
    name = f"_batch_{next(_batch_ids)}"
    select = ", ".join(f'CAST("{c}" AS {types[c]}) AS "{c}"' for c in cols)
    target = ", ".join(f'"{c}"' for c in cols)
    sql = f"INSERT INTO {table} ({target}) SELECT {select} FROM {name} ON CONFLICT ({', '.join(key)})"
    if rest:
        assign = ", ".join(f'"{c}" = excluded."{c}"' for c in rest)
        old = ", ".join(f'{table}."{c}"' for c in rest)
        new = ", ".join(f'excluded."{c}"' for c in rest)
        sql += f" DO UPDATE SET {assign} WHERE ({old}) IS DISTINCT FROM ({new})"
    else:
        sql += " DO NOTHING"
    con.register(name, frame)
    try:
        return int(con.execute(sql).fetchall()[0][0])
    finally:
        con.unregister(name)


def land_raw(con: duckdb.DuckDBPyConnection, run_id: int, items: Sequence[Landable]) -> int:
    """Append fetched payloads to raw.items with their provenance (never a credential)."""
    frame = pd.DataFrame({
        "source": [i.source for i in items],
        "stream": [i.stream for i in items],
        "item_key": [i.key for i in items],
        "fetched_at": [i.fetched_at for i in items],
        "run_id": run_id,
        "collector_version": __version__,
        "cursor": [i.cursor for i in items],
        "payload": [json.dumps(i.payload, ensure_ascii=False, separators=(",", ":"))
                    for i in items],
    })
    return upsert(con, "raw.items", frame)


def save_state(con: duckdb.DuckDBPyConnection, items: Iterable[Landable]) -> int:
    """Remember each item's validators and cursor for the next conditional fetch."""
    frame = pd.DataFrame(
        [{"source": i.source, "stream": i.stream, "item_key": i.key, "etag": i.etag,
          "cursor": i.cursor, "fetched_at": i.fetched_at} for i in items]
    )
    return upsert(con, "core.fetch_state", frame)


def load_state(con: duckdb.DuckDBPyConnection, source: str, stream: str
               ) -> dict[str, tuple[str | None, str | None]]:
    """item key -> (etag, cursor) of the last successful fetch."""
    rows = con.execute(
        "SELECT item_key, etag, cursor FROM core.fetch_state WHERE source = ? AND stream = ?",
        [source, stream],
    ).fetchall()
    return {key: (etag, cursor) for key, etag, cursor in rows}
