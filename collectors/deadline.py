"""A deadline for a whole HTTP request, however slowly the server sends.

httpx times each socket read on its own: a server sending a byte every few seconds would hold a
request for hours. `within(seconds)` sets the calling thread's deadline; `bound_reads(client)`
makes every connect, read and write of an httpx client wait at most until it, and raise a timeout
whose text holds `PASSED` once it is gone.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

_current = threading.local()  # the running request's deadline (_clock()), per thread
_clock = time.monotonic  # bound once: a test that moves time.monotonic does not move deadlines


@contextlib.contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """The requests made inside end `seconds` from now at the latest (None: no deadline)."""
    outer = getattr(_current, "at", None)
    _current.at = None if seconds is None else _clock() + seconds
    try:
        yield
    finally:
        _current.at = outer


PASSED = "the request's deadline passed"


def check(error: type[Exception], slack: float = 0.0) -> None:
    at = getattr(_current, "at", None)
    if at is not None and _clock() >= at - slack:
        raise error(PASSED)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """A socket operation's timeout, cut to what is left of the request's deadline."""
    at = getattr(_current, "at", None)
    if at is None:
        return timeout
    left = at - _clock()
    if left <= 0:
        raise error(PASSED)
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write waits at most until the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))
        except httpcore.ReadTimeout:
            check(httpcore.ReadTimeout, slack=0.05)  # the cut wait ran out: say why
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with `_DeadlineStream` connections."""

    def __init__(self, inner: httpcore.NetworkBackend):
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None
                    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(
            path, _bounded(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound_reads(client: httpx.Client) -> None:
    """Make every socket wait of `client` end at the current request's deadline.

    httpx times each read on its own: a server sending a byte every few seconds would hold a
    request for hours. httpcore takes a network backend, which httpx does not expose; it is set on
    the connection pools here (tests/test_http.py's trickle test fails if httpx changes this).
    """
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = _DeadlineBackend(pool._network_backend)
