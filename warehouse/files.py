"""Durable file steps shared by the publish, compaction, backup and seeding of the working file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_atomic(source: Path, target: Path) -> None:
    """Copy `source` to `target` beside it, fsync, rename: `target` appears whole or not at all.

    The partial copy (`<target>.partial`) is removed on any failure; one left by a kill -9 is
    overwritten by the next copy.
    """
    partial = target.with_name(target.name + ".partial")
    try:
        shutil.copyfile(source, partial)
        fsync(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
