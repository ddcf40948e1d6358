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
        written += after_load(con, {(i.source, i.stream) for i in items})
        save_state(con, items)
    return written


def after_load(con: duckdb.DuckDBPyConnection, streams: set[tuple[str, str]]) -> int:
    """Run the transforms' `after_load` hooks of these (source, stream)s once each: tables derived
    across items (benchmark steps, MLPerf attribution). Both a collect and a rebuild end with it."""
    written = 0
    for module in {TRANSFORMS[key] for key in streams}:
        if hasattr(module, "after_load"):
            written += module.after_load(con)
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
    replaced = getattr(module, "replaced_ranges", None)
    for table, ranges in (replaced(items) if replaced else {}).items():
        written += delete_unlisted(con, table, ranges, frames[table], module.RANGE_COLUMN)
    return written


def delete_unlisted(con: duckdb.DuckDBPyConnection, table: str, ranges: pd.DataFrame,
                    listed: pd.DataFrame, range_col: str) -> int:
    """Re-collected ranges replace what was there: delete rows inside a range the new data lacks.

    `ranges` has the scope columns plus `lo` and `hi` (inclusive bounds of `range_col`); a row of
    `table` inside a range whose key is not in `listed` is deleted (a category that vanished from
    a re-collected day). Used by download counts, where one answer covers a span of days.
    """
    if ranges.empty:
        return 0
    key = primary_key(con, table)
    scope = [c for c in ranges.columns if c not in ("lo", "hi")]
    listed = listed[key] if not listed.empty else pd.DataFrame({c: pd.Series(dtype=str) for c in key})
    in_range = " AND ".join([f'r."{c}" = t."{c}"' for c in scope]
                            + [f't."{range_col}" BETWEEN r.lo AND r.hi'])
    match = " AND ".join(f'l."{c}" = t."{c}"' for c in key)
    con.register("_ranges", ranges)
    con.register("_listed", listed)
    try:
        # Usually the new answer lists every row inside its ranges: count first, delete only when
        # the ranges hold more rows than were listed (the upsert has stored all listed ones).
        bounds = f't."{range_col}" BETWEEN ? AND ?'
        params = [ranges["lo"].min(), ranges["hi"].max()]
        if scope:  # rows are stored roughly in scope order: min/max prune most row groups
            bounds += f' AND t."{scope[0]}" BETWEEN ? AND ?'
            params += [ranges[scope[0]].min(), ranges[scope[0]].max()]
        held = con.execute(
            f"SELECT count(*) FROM {table} AS t WHERE {bounds} "
            f"AND EXISTS (SELECT 1 FROM _ranges r WHERE {in_range})", params,
        ).fetchall()[0][0]
        if held <= len(listed.drop_duplicates()):
            return 0
        # The constant bounds let DuckDB skip row groups outside the ranges (zone maps).
        rows = con.execute(
            f"DELETE FROM {table} AS t WHERE {bounds} "
            f"AND EXISTS (SELECT 1 FROM _ranges r WHERE {in_range}) "
            f"AND NOT EXISTS (SELECT 1 FROM _listed l WHERE {match}) RETURNING 1", params,
        ).fetchall()
    finally:
        con.unregister("_ranges")
        con.unregister("_listed")
    return len(rows)


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
