"""The writer lock beside the working file: one writing process per warehouse.

An advisory `flock` on `<db>.work.lock`. The kernel drops it when its process dies, so a lock left
by a crashed collector is taken over at once; the file's text names the holder for error messages.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dltrends.errors import WarehouseBusy

log = logging.getLogger(__name__)


@contextmanager
def writer_lock(path: Path, timeout: float, purpose: str = "") -> Iterator[None]:
    """Hold the lock for the block; wait up to `timeout` seconds, then raise WarehouseBusy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout)
        previous = _read(fd)
        if previous:
            log.info("taking over a stale lock left by %s", _describe(previous))
        _write(fd, {"pid": os.getpid(), "host": socket.gethostname(),
                    "command": purpose or " ".join(sys.argv[:3]),
                    "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def holder(path: Path) -> dict | None:
    """Who holds the lock now, or None when it is free.

    Read from the text the holder wrote, without taking the lock: even a brief shared lock would
    make a writer that does not wait (DLTRENDS_LOCK_TIMEOUT=0) fail. The holder clears the text
    when it lets go; a text left by a process killed before it could names a pid that no longer
    runs on this host, and the lock is then free.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except FileNotFoundError:
        return None
    if not text:
        return None
    info = _parse(text)
    if info.get("host") == socket.gethostname() and not _alive(info.get("pid")):
        return None
    return info


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return True  # cannot tell: say it is held, as its text does
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        pass
    return True


def _acquire(fd: int, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"the warehouse is busy: {path} is held by {_describe(_read(fd))}; "
                    f"waited {timeout:.0f} s (DLTRENDS_LOCK_TIMEOUT)"
                ) from None
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


def _read(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    return _parse(os.read(fd, 4096).decode("utf-8", "replace").strip())


def _parse(text: str) -> dict:
    if not text:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return {"text": text}


def _write(fd: int, info: dict) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(info).encode())
    os.fsync(fd)


def _describe(info: dict) -> str:
    if not info:
        return "another process"
    return (f"pid {info.get('pid', '?')} on {info.get('host', '?')} "
            f"({info.get('command', '?')}, since {info.get('since', '?')})")
