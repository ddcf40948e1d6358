"""Publish the working file: checkpoint, copy beside the published file, fsync, atomic rename.

DuckDB lets one process write a file, and while it does no other process may open it, even
read-only. So the collector writes a private working file and, after each job, replaces the
published file with a consistent copy. Readers that hold the old file open keep reading it (POSIX
rename semantics: the old inode lives until its last reader closes it); new readers see the new one.
A failure at any step (disk full, kill) leaves the published file exactly as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dltrends.errors import DltrendsError, ExitCode
from warehouse.compact import MaintenanceError, compact, needs_compaction
from warehouse.files import fsync, fsync_dir

log = logging.getLogger(__name__)


class PublishError(DltrendsError):
    """The working file could not be checkpointed or copied (a full disk): nothing was published,
    the published file is unchanged and the data is safe in the working file (exit code 74)."""

    exit_code = ExitCode.STORAGE


@dataclass(frozen=True)
class Published:
    path: Path
    bytes: int
    seconds: float

    def summary(self) -> str:
        return f"published {self.path} ({self.bytes / 1e6:.1f} MB)"


def checkpoint(work: Path) -> None:
    """Fold the write-ahead log into the working file so the file alone is consistent.

    DuckDB reports a write that fails during a checkpoint (a full disk) as a FatalException. The
    checkpoint writes new blocks before it switches the file's header to them, so the working file
    and its log still hold every committed row; the next checkpoint with space to spare folds them.
    """
    try:
        con = duckdb.connect(str(work))  # replaying a left-over log checkpoints too
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except duckdb.Error as exc:
        raise PublishError(
            f"could not checkpoint the working file {work} ({_reason(exc)}); nothing was "
            "published: the published file is unchanged and the data is safe in the working file. "
            "Free some space and run the command again"
        ) from exc
    wal = work.with_name(work.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise PublishError(f"{wal} is not empty after a checkpoint; not publishing")


def publish(work: Path, published: Path, compact_ratio: float) -> Published:
    """Replace `published` with a copy of `work`. The caller holds the writer lock.

    When the working file has grown past `compact_ratio` times its live data it is compacted
    first (0 turns that off); a compaction that fails is logged and the file published as it is.
    """
    start = time.perf_counter()
    checkpoint(work)
    if needs_compaction(work, compact_ratio):
        try:
            compact(work)
        except MaintenanceError as exc:
            log.warning("%s; publishing it uncompacted", exc)
    published.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_copies(published)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(work, tmp)
        fsync(tmp)
        os.replace(tmp, published)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PublishError(
            f"could not publish {published} ({exc.strerror or exc}); the published file is "
            "unchanged and the data is safe in the working file"
        ) from exc
    except BaseException:  # SIGTERM (jobs.terminate) mid-copy: leave no partial copy behind
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(published.parent)
    size = published.stat().st_size
    elapsed = time.perf_counter() - start
    log.info("published %s (%.1f MB) in %.2f s", published, size / 1e6, elapsed)
    return Published(published, size, elapsed)


def _reason(exc: duckdb.Error) -> str:
    text = str(exc).strip()
    if "No space left on device" in text:
        return "No space left on device"
    return text.splitlines()[0] if text else type(exc).__name__


def _remove_stale_copies(published: Path) -> None:
    """Temporary copies left by a killed publish (the caller holds the lock: none is in use)."""
    for stale in published.parent.glob(f".{published.name}.*.tmp"):
        log.info("removing %s, left by an interrupted publish", stale)
        stale.unlink(missing_ok=True)
