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
from warehouse.db import quote_ident as _q

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
    """Insert or update `frame` into `table` by its primary key; returns rows inserted or changed.

    Scalar columns go through `INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE changed`. Nested
    columns (lists, structs) are set by a separate `UPDATE ... FROM` limited to rows whose value
    differs: DuckDB rewrites a nested column in ON CONFLICT DO UPDATE even when it is unchanged,
    which measured 200x slower on a million rows (perf/ingest.py).
    """
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
    nested = [c for c in rest if _is_nested(types[c])]
    name = f"_batch_{next(_batch_ids)}"
    source = f"(SELECT {', '.join(f'CAST({_q(c)} AS {types[c]}) AS {_q(c)}' for c in cols)} FROM {name})"
    on = " AND ".join(f"t.{_q(c)} = b.{_q(c)}" for c in key)
    con.register(name, frame)
    try:
        differs = _differs(rest, "t", "b") if rest else "false"
        matched, changed = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {differs}) FROM {table} t JOIN {source} b ON {on}"
        ).fetchall()[0]
        con.execute(_insert_sql(table, cols, key, [c for c in rest if c not in nested], source)).fetchall()
        for col in nested:
            con.execute(
                f"UPDATE {table} t SET {_q(col)} = b.{_q(col)} FROM {source} b "
                f"WHERE {on} AND t.{_q(col)} IS DISTINCT FROM b.{_q(col)}"
            ).fetchall()
        return int(len(frame) - matched + changed)
    finally:
        con.unregister(name)


def _insert_sql(table: str, cols: list[str], key: list[str], scalars: list[str], source: str) -> str:
    sql = (f"INSERT INTO {table} ({', '.join(map(_q, cols))}) SELECT * FROM {source} "
           f"ON CONFLICT ({', '.join(map(_q, key))})")
    if not scalars:
        return sql + " DO NOTHING"
    assign = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in scalars)
    return sql + f" DO UPDATE SET {assign} WHERE {_differs(scalars, table, 'excluded')}"


def _differs(cols: list[str], old: str, new: str) -> str:
    return (f"({', '.join(f'{old}.{_q(c)}' for c in cols)}) IS DISTINCT FROM "
            f"({', '.join(f'{new}.{_q(c)}' for c in cols)})")


def _is_nested(sql_type: str) -> bool:
    return sql_type.endswith("]") or sql_type.startswith(("STRUCT", "MAP", "UNION"))


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


def delete_missing(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Delete the rows of `table` whose key is not in `frame` (a list that is whole: the registry,
    the declared sources). Returns the rows deleted."""
    key = primary_key(con, table)
    con.register("_listed_keys", frame[key])
    try:
        match = " AND ".join(f"k.{c} = {table}.{c}" for c in key)
        rows = con.execute(
            f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM _listed_keys k WHERE {match}) "
            "RETURNING 1"
        ).fetchall()
    finally:
        con.unregister("_listed_keys")
    return len(rows)
