"""Stopping on SIGTERM: unwind (rolling back the open transaction), never publish half-way, exit fast.

Inside `terminable()` a SIGTERM raises `Terminated` in the main thread. It is a BaseException, so
`except Exception` blocks let it pass: `warehouse.db.transaction` rolls back, the writer lock is
released, and a job interrupted before its publish step does not publish (the publish itself
replaces the file by an atomic rename, so it is never half-done either). Fetch threads still
waiting on the network are not waited for: the command ends the process with `exit_now()`.

DuckDB notices the signal too: a query running when it arrives stops with RuntimeError("Query
interrupted"), and Python's handler may only run later. So the handler also records the request,
and code that catches broad exceptions calls `stop_if_requested()` to turn them back into
Terminated.

A watchdog ends the process `GRACE` seconds after the signal even if unwinding is stuck inside a
long database call: that is as safe as `kill -9`, which the publish design already survives (an
uncommitted transaction never reaches the working file). So a stop always takes under 10 s.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

log = logging.getLogger(__name__)

GRACE = 8.0  # seconds from the signal to a forced exit
EXIT_CODE = 128 + signal.SIGTERM  # 143, what a shell reports for a process ended by SIGTERM


_requested: list[int] = []  # the signal received inside terminable(), if any


class Terminated(BaseException):
    """SIGTERM arrived; raised in the main thread to unwind the current job."""

    def __init__(self, signum: int):
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


@contextmanager
def terminable(grace: float = GRACE) -> Iterator[None]:
    """Within the block, SIGTERM raises Terminated (main thread only; elsewhere a no-op).

    The watchdog runs while the block unwinds; once the block is left it is no longer needed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    watchdogs: list[threading.Timer] = []
    _requested.clear()

    def handler(signum: int, frame: object) -> None:
        _requested.append(signum)
        watchdog = threading.Timer(grace, _force_exit, args=(signum,))
        watchdog.daemon = True
        watchdog.start()
        watchdogs.append(watchdog)
        signal.signal(signum, signal.SIG_IGN)  # one unwinding is enough
        raise Terminated(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        for watchdog in watchdogs:
            watchdog.cancel()


def requested() -> int | None:
    """The stop signal received (inside terminable()), or None."""
    return _requested[0] if _requested else None


def stop_if_requested() -> None:
    """Raise Terminated if a stop was requested (call it where broad exceptions are caught)."""
    if _requested:
        raise Terminated(_requested[0])


def exit_now(code: int = EXIT_CODE) -> None:
    """End the process at once, after flushing output (fetch threads may still be in flight)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _force_exit(signum: int) -> None:
    log.error("still unwinding %.0f s after %s; exiting now", GRACE, signal.Signals(signum).name)
    exit_now(128 + signum)
