"""Processes seen through /proc (Linux): a parent's children, and whether a process has ended."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for PID 1 to reap it counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """The pids whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_for_child(pid: int, timeout: float = 30.0) -> int:
    """The first child `pid` starts, waiting for it up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = [k for k in children(pid) if alive(k)]
        if kids:
            return kids[0]
        time.sleep(0.05)
    raise AssertionError(f"process {pid} started no child within {timeout} s")


def ended_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


def parent_running(code: str, cwd: Path | None = None) -> subprocess.Popen:
    """A Python process running `code` (this interpreter, this PYTHONPATH)."""
    return subprocess.Popen([sys.executable, "-c", code], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
