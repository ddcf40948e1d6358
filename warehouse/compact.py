"""Keep the working file near its live size, and make verified backups of it.

DuckDB does not give back the space of updated or deleted rows: after a checkpoint the old blocks
are marked free and reused only partly, so a warehouse that updates rows every day grows well past
its live data (perf/operations.py measures it). Compaction copies the working file into a fresh
one (`COPY FROM DATABASE`: schemas, tables with their keys, sequences at their current values,
views and comments), checks every table's row count, and swaps it in with an atomic rename. The
caller holds the writer lock, so no other process has the file open.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dltrends import __version__
from dltrends.errors import DltrendsError
from warehouse.db import connect, reader, sql_string
from warehouse.files import fsync, fsync_dir

log = logging.getLogger(__name__)

MIN_BYTES = 8 * 1024 * 1024  # below this the space is not worth a copy


class MaintenanceError(DltrendsError):
    """Compaction or a backup could not be completed; the working file is unchanged (exit 1)."""


@dataclass(frozen=True)
class Compacted:
    before: int
    after: int
    seconds: float

    def summary(self) -> str:
        return (f"compacted {self.before / 1e6:.1f} MB -> {self.after / 1e6:.1f} MB "
                f"in {self.seconds:.1f} s")


def live_fraction(work: Path) -> float:
    """Share of the file's blocks that hold live data (1.0 = nothing to reclaim)."""
    with reader(work) as con:
        row = con.execute(
            "SELECT total_blocks, used_blocks FROM pragma_database_size() "
            "WHERE database_name = current_database()"
        ).fetchall()[0]
    total, used = row
    return used / total if total else 1.0


def needs_compaction(work: Path, ratio: float) -> bool:
    """True when the file is more than `ratio` times its live data (and big enough to matter)."""
    if ratio <= 0 or not work.exists() or work.stat().st_size < MIN_BYTES:
        return False
    return live_fraction(work) * ratio < 1.0


def compact(work: Path) -> Compacted:
    """Rewrite the working file into a fresh copy and swap it in. The caller holds the writer lock.

    A failure at any step (disk full, a kill) leaves the working file as it was; the partial copy
    is removed.
    """
    start = time.perf_counter()
    before = work.stat().st_size
    with replacing(work, ".compact", "compact") as fresh:
        copy_database(work, fresh)
        check_no_wal(work)
    result = Compacted(before, work.stat().st_size, time.perf_counter() - start)
    log.info(result.summary())
    return result


@contextmanager
def replacing(work: Path, suffix: str, what: str) -> Iterator[Path]:
    """Build a new working file at `<work><suffix>` in the block, then swap it in (fsync, atomic
    rename, fsync of the folder). Any failure removes the partial file and leaves `work` as it
    was; a disk or database error becomes a MaintenanceError saying so."""
    fresh = work.with_name(work.name + suffix)
    remove_with_wal(fresh)
    try:
        yield fresh
        fsync(fresh)
        os.replace(fresh, work)
    except BaseException as exc:
        remove_with_wal(fresh)
        if isinstance(exc, OSError | duckdb.Error):
            raise MaintenanceError(
                f"could not {what} {work} ({_reason(exc)}); the working file is unchanged"
            ) from exc
        raise
    fsync_dir(work.parent)


def copy_database(source: Path, target: Path) -> None:
    """Copy every schema object and row of `source` into the new file `target`, then verify counts."""
    con = connect(":memory:")
    try:
        con.execute(f"ATTACH {sql_string(source)} AS src (READ_ONLY)")
        # No WAL for a file that is thrown away if anything fails: a WAL here would hold every
        # payload uncompressed (1 GB for a 180 MB file in perf/operations.py) and cost 40 % time.
        con.execute(f"ATTACH {sql_string(target)} AS dst (RECOVERY_MODE no_wal_writes)")
        con.execute("COPY FROM DATABASE src TO dst")
        _verify_counts(con)
        con.execute("DETACH src")
        con.execute("CHECKPOINT dst")
        con.execute("DETACH dst")
    finally:
        con.close()
    check_no_wal(target)


def _verify_counts(con: duckdb.DuckDBPyConnection) -> None:
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'src' "
        "ORDER BY ALL").fetchall()
    for schema, table in tables:
        name = f'"{schema}"."{table}"'
        src, dst = con.execute(
            f"SELECT (SELECT count(*) FROM src.{name}), (SELECT count(*) FROM dst.{name})"
        ).fetchall()[0]
        if src != dst:
            raise MaintenanceError(f"copy of {schema}.{table} has {dst} rows, the original {src}")


def backup(work: Path, folder: Path, keep: int | None = None) -> Path:
    """A verified copy of the working file (raw landing included) in `folder`, with a manifest.

    The caller holds the writer lock and has checkpointed `work`, so the copy is consistent.
    `keep` removes all but the newest `keep` backups of this warehouse from `folder`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = work.name.removesuffix(".work")
    target = folder / f"{stem}.{stamp}.backup"
    tmp = folder / f".{target.name}.tmp"
    try:
        shutil.copyfile(work, tmp)
        fsync(tmp)
        manifest = _manifest(tmp, work)
        os.replace(tmp, target)
    except BaseException as exc:
        remove_with_wal(tmp)
        if isinstance(exc, OSError | duckdb.Error):
            raise MaintenanceError(f"could not write a backup to {folder} ({_reason(exc)})") from exc
        raise
    target.with_name(target.name + ".json").write_text(json.dumps(manifest, indent=2) + "\n")
    fsync_dir(folder)
    if keep:
        _prune(folder, stem, keep)
    return target


def _manifest(copy: Path, work: Path) -> dict:
    """Row counts read back from the copy (proving it opens) and its SHA-256."""
    with reader(copy) as con:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1").fetchall()
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for (t,) in tables}
        migrations = [r[0] for r in con.execute(
            "SELECT name FROM core.schema_migrations ORDER BY name").fetchall()]
    digest = hashlib.sha256()
    with copy.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return {"source": str(work), "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "dltrends_version": __version__, "bytes": copy.stat().st_size,
            "sha256": digest.hexdigest(), "migrations": migrations, "rows": counts}


def _prune(folder: Path, stem: str, keep: int) -> None:
    backups = sorted(folder.glob(f"{stem}.*.backup"))
    for old in backups[:-keep]:
        remove_with_wal(old)
        remove_with_wal(old.with_name(old.name + ".json"))
        log.info("removed old backup %s", old)


def check_no_wal(path: Path) -> None:
    wal = path.with_name(path.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise MaintenanceError(f"{wal} is not empty after a checkpoint; not swapping files")


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)).strip()


def remove_with_wal(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
