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

from dltrends.errors import DltrendsError

log = logging.getLogger(__name__)


class PublishError(DltrendsError):
    """The copy could not be made; the published file is unchanged (exit code 1)."""


@dataclass(frozen=True)
class Published:
    path: Path
    bytes: int
    seconds: float


def checkpoint(work: Path) -> None:
    """Fold the write-ahead log into the working file so the file alone is consistent."""
    con = duckdb.connect(str(work))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = work.with_name(work.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise PublishError(f"{wal} is not empty after a checkpoint; not publishing")


def publish(work: Path, published: Path) -> Published:
    """Replace `published` with a copy of `work`. The caller holds the writer lock."""
    start = time.perf_counter()
    checkpoint(work)
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(work, tmp)
        _fsync(tmp)
        os.replace(tmp, published)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PublishError(
            f"could not publish {published} ({exc.strerror or exc}); the published file is "
            "unchanged and the data is safe in the working file"
        ) from exc
    _fsync_dir(published.parent)
    size = published.stat().st_size
    elapsed = time.perf_counter() - start
    log.info("published %s (%.1f MB) in %.2f s", published, size / 1e6, elapsed)
    return Published(published, size, elapsed)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
