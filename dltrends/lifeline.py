"""Worker processes that die with their parent and stop at their own CPU-time limit.

A worker (the SQL console's query process, a benchmark worker, a scheduled job) calls `arm()`
first thing with the pid of the process that started it. On Linux the kernel then sends it
SIGKILL when that parent ends (`prctl(PR_SET_PDEATHSIG)`); elsewhere a daemon thread polls the
parent pid. Either way a killed `dltrends sql`, dashboard, bench run or scheduler takes its
workers with it, instead of leaving them running under PID 1 where no one enforces their time
limit. `cap_cpu()` adds a CPU-time limit (`RLIMIT_CPU`) that holds even then.

Standard library only: the benchmark worker loads this file by path inside a framework's
environment, where dltrends is not installed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import math
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_S = 0.5
# "<parent pid> <cpu seconds>" for a child that arms itself at start; not DLTRENDS_*, which
# the settings read (and refuse when unknown)
ENV = "_DLTRENDS_LIFELINE"


def arm(parent: int, *, use_prctl: bool = True) -> str:
    """Die when process `parent` ends; returns how ("prctl" or "watchdog"). Exits at once when
    the parent is already gone (it died before this call)."""
    how = "prctl" if use_prctl and _pdeathsig() else "watchdog"
    if os.getppid() != parent:  # the parent died before the kernel could be told
        _die()
    if how == "watchdog":
        threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()
    return how


def cap_cpu(seconds: float, *, hard: bool = True) -> bool:
    """Stop this process after `seconds` more of CPU time (all its threads together): SIGXCPU at
    the soft limit and, with `hard`, SIGKILL a few seconds later. False where unsupported."""
    try:
        import resource
    except ImportError:  # Windows
        return False
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(used.ru_utime + used.ru_stime + seconds)
    limit = (soft, soft + 5) if hard else (soft, resource.getrlimit(resource.RLIMIT_CPU)[1])
    try:
        resource.setrlimit(resource.RLIMIT_CPU, limit)
    except (ValueError, OSError):
        return False
    return True


def child_env(env: dict[str, str], cpu_seconds: float | None = None) -> dict[str, str]:
    """`env` for a child that calls `arm_from_env()` at start, with this process as its parent."""
    return env | {ENV: f"{os.getpid()} {cpu_seconds or 0:g}"}


def arm_from_env() -> None:
    """Arm the lifeline (and CPU cap) a parent passed in the environment; the variable is removed
    so that this process's own children do not inherit a parent that is not theirs."""
    value = os.environ.pop(ENV, "")
    with contextlib.suppress(ValueError):
        parent, cpu = value.split()
        arm(int(parent))
        if float(cpu) > 0:
            cap_cpu(float(cpu))


def _pdeathsig() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_S)
    _die()


def _die() -> None:
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(1)
