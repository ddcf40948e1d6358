"""Rebuild every typed table from the raw landing alone (`dltrends rebuild`): no network needed.

The transforms (`warehouse/transforms/`) turn a landed payload into rows without looking anything
up, so replaying `raw.items` in fetch order through the same write path (`apply_transform`:
upserts, then `removed_at` for what a later snapshot stopped listing) arrives at the tables the
online collects built. The rebuild writes a fresh file (schema copied, every table that no
transform writes copied as it is: run log, fetch state, registry, alerts), replays into it and
swaps it in with an atomic rename, so a failure or a kill leaves the working file untouched.
The caller holds the writer lock.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse.compact import check_no_wal, replacing
from warehouse.db import connect, sql_string, transaction
from warehouse.load import after_load, apply_transform
from warehouse.transforms import TRANSFORMS

log = logging.getLogger(__name__)

BATCH_BYTES = 32 * 1024 * 1024  # payload text per replay transaction


@dataclass(frozen=True)
class Landed:
    """A raw.items row, shaped like the fetched item the transforms were written for."""

    source: str
    stream: str
    key: str
    fetched_at: Any
    cursor: str | None
    payload: dict[str, Any]


@dataclass
class Rebuilt:
    items: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # derived table -> rows after the rebuild
    seconds: float = 0.0

    def summary(self) -> str:
        tables = ", ".join(f"{t} {n:,}" for t, n in self.rows.items())
        return f"rebuilt from {self.items:,} raw payloads in {self.seconds:.1f} s: {tables}"


def derived_tables() -> list[str]:
    """Tables the transforms write (and so rebuild), in a stable order."""
    tables: set[str] = set()
    for module in TRANSFORMS.values():
        names = getattr(module, "TABLES", None) or module.transform([]).keys()
        tables.update(names)
    return sorted(tables)


def rebuild(work: Path, progress: Callable[[int], None] | None = None) -> Rebuilt:
    """Recreate the derived tables of `work` from its raw landing; returns what was rebuilt."""
    start = time.perf_counter()
    result = Rebuilt()
    derived = derived_tables()
    with replacing(work, ".rebuild", "rebuild") as fresh:
        _copy_all_but(work, fresh, derived)
        con = connect(fresh)
        try:
            result.items = _replay(work, con, progress or (lambda n: None))
            result.rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                           for t in derived}
            con.execute("CHECKPOINT")
        finally:
            con.close()
        check_no_wal(fresh)
    result.seconds = time.perf_counter() - start
    log.info(result.summary())
    return result


def _copy_all_but(source: Path, target: Path, derived: list[str]) -> None:
    """The schema of `source` (sequences at their values, views, comments) and every other table's rows."""
    con = connect(":memory:")
    try:
        con.execute(f"ATTACH {sql_string(source)} AS src (READ_ONLY)")
        con.execute(f"ATTACH {sql_string(target)} AS dst (RECOVERY_MODE no_wal_writes)")
        con.execute("COPY FROM DATABASE src TO dst (SCHEMA)")
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE database_name = 'src' ORDER BY 1").fetchall()
        for (table,) in tables:
            if table not in derived:
                con.execute(f"INSERT INTO dst.{table} SELECT * FROM src.{table}")
        con.execute("DETACH src")
        con.execute("CHECKPOINT dst")
        con.execute("DETACH dst")
    finally:
        con.close()


def _replay(work: Path, con: duckdb.DuckDBPyConnection, progress: Callable[[int], None]) -> int:
    """Apply every landed payload in fetch order; one transaction per batch of distinct items."""
    replayed = 0
    streams: set[tuple[str, str]] = set()
    for batch in _batches(_landed(work)):
        groups: dict[tuple[str, str], list] = {}  # first-seen order, as landed
        for item in batch:
            groups.setdefault((item.source, item.stream), []).append(item)
        with transaction(con):
            for (source, stream), items in groups.items():
                apply_transform(con, source, stream, items)
        streams.update(groups)
        replayed += len(batch)
        progress(replayed)
    with transaction(con):
        after_load(con, streams)
    return replayed


def _batches(items: Iterator[tuple[Landed, int]]) -> Iterator[list[Landed]]:
    """Batches in fetch order in which no item appears twice (a later payload must see the earlier)."""
    batch: list[Landed] = []
    keys: set[tuple[str, str, str]] = set()
    size = 0
    for item, nbytes in items:
        key = (item.source, item.stream, item.key)
        if key in keys or size >= BATCH_BYTES:
            yield batch
            batch, keys, size = [], set(), 0
        batch.append(item)
        keys.add(key)
        size += nbytes
    if batch:
        yield batch


def _landed(work: Path) -> Iterator[tuple[Landed, int]]:
    """raw.items rows that a transform reads, oldest fetch first, read from the original file."""
    streams = [list(k) for k in TRANSFORMS]
    con = connect(work, read_only=True)
    try:
        cursor = con.execute(
            "SELECT source, stream, item_key, fetched_at, cursor, payload::VARCHAR FROM raw.items "
            "WHERE [source, stream] IN (SELECT unnest(?::VARCHAR[][])) "
            "ORDER BY fetched_at, source, stream, item_key", [streams])
        while rows := cursor.fetchmany(256):
            for source, stream, key, fetched_at, cur, payload in rows:
                yield Landed(source, stream, key, fetched_at, cur, json.loads(payload)), len(payload)
    finally:
        con.close()
