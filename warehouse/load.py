"""Save a batch of fetched items: land raw, transform, upsert, remember fetch state, atomically."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pandas as pd

from warehouse.db import transaction
from warehouse.store import Landable, land_raw, primary_key, save_state, upsert
from warehouse.transforms import TRANSFORMS


def save_batch(con: duckdb.DuckDBPyConnection, run_id: int, items: Sequence[Landable]) -> int:
    """One transaction per batch: a kill leaves the working file at a batch boundary.

    Returns the typed rows inserted, changed or marked removed.
    """
    if not items:
        return 0
    written = 0
    with transaction(con):
        land_raw(con, run_id, items)
        for (source, stream), group in itertools.groupby(
            sorted(items, key=lambda i: (i.source, i.stream)), key=lambda i: (i.source, i.stream)
        ):
            written += apply_transform(con, source, stream, list(group))
        save_state(con, items)
    return written


def apply_transform(con: duckdb.DuckDBPyConnection, source: str, stream: str,
                    items: Sequence[Landable]) -> int:
    module = TRANSFORMS[(source, stream)]
    frames = module.transform(items)
    written = sum(upsert(con, table, frame) for table, frame in frames.items())
    # Each item's own fetch time, not the batch's: `dltrends rebuild` replays raw.items in other
    # batches and must arrive at the same removed_at values.
    when = {i.key: i.fetched_at for i in items}
    for table, scope in module.SNAPSHOT_SCOPE.items():
        written += mark_removed(con, table, scope, when, frames[table])
    return written


def mark_removed(con: duckdb.DuckDBPyConnection, table: str, scope: str,
                 scope_keys: Mapping[str, Any], listed: pd.DataFrame) -> int:
    """Rows of the given items that their new snapshot no longer lists get `removed_at`.

    `scope_keys` maps each item's scope value to its fetch time, which becomes `removed_at`.
    """
    key = primary_key(con, table)
    listed = listed[key] if not listed.empty else pd.DataFrame({c: pd.Series(dtype=str) for c in key})
    match = " AND ".join(f'l."{c}" = t."{c}"' for c in key)
    con.register("_listed", listed)
    con.register("_scope", pd.DataFrame({"k": list(scope_keys), "at": list(scope_keys.values())}))
    try:
        rows = con.execute(
            f"UPDATE {table} AS t SET removed_at = s.at FROM _scope s WHERE t.removed_at IS NULL "
            f'AND t."{scope}" = s.k '
            f"AND NOT EXISTS (SELECT 1 FROM _listed l WHERE {match}) RETURNING 1"
        ).fetchall()
    finally:
        con.unregister("_listed")
        con.unregister("_scope")
    return len(rows)
