"""The one HTTP client layer: timeouts, User-Agent, retries that honour Retry-After, pagination.

Every collector talks HTTP through `HttpClient`; nothing else in dltrends sleeps or retries.
Retried: connection errors and timeouts, 429, 500, 502, 503, 504. A Retry-After header (seconds or
an HTTP date) sets the wait; otherwise capped exponential backoff with jitter. A wait longer than
`max_retry_wait` is not waited for: the request fails at once with that reason. A host name that
does not resolve is not retried (no network, or a typo in a URL setting): waiting seconds for DNS
to change only delays the other sources.
Error texts name the URL and the cause, never request headers (they may carry credentials), and
secret query parameters given as `secrets` are replaced by "***" in every URL an error names.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import os
import random
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from dltrends import USER_AGENT

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_sleep = time.sleep  # the one place dltrends waits between retries; tests replace it


class HttpError(Exception):
    """A request that did not succeed; `status` is None for connection-level failures."""

    def __init__(self, url: str, reason: str, status: int | None = None,
                 retry_after: float | None = None, *, transient: bool = True, body: str = ""):
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.transient = transient
        self.body = body  # the start of an error response's body, for collectors to explain it

    def add_context(self, text: str) -> None:
        self.reason = f"{self.reason}; {text}"
        self.args = (f"{self.reason} ({self.url})",)

    @property
    def retryable(self) -> bool:
        return self.transient and (self.status is None or self.status in RETRY_STATUSES)

    @property
    def unreachable(self) -> bool:
        """True when no HTTP answer came at all (DNS, connection refused, timeout, reset)."""
        return self.status is None


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


class HttpClient:
    """httpx.Client with dltrends' policy. One per collector run; close() when done."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        max_retry_wait: float = 120.0,
        contact: str = "",
        pool_size: int = 8,
        headers: dict[str, str] | None = None,
        sleep: Callable[[float], None] | None = None,
        secrets: Iterable[str] = (),
    ):
        agent = USER_AGENT if not contact else USER_AGENT.replace(")", f"; {contact})")
        self.max_retry_wait = max_retry_wait
        self.retries = retries
        # A secret shows up raw or URL-encoded (as a query parameter) in URLs and messages.
        self._secrets = sorted({v for s in secrets if s for v in (s, quote(s, safe=""),
                                                                   quote_plus(s, safe=""))},
                               key=len, reverse=True)
        self._sleep = sleep or (lambda seconds: _sleep(seconds))
        self.requests_sent = 0
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": agent, **(headers or {})},
            follow_redirects=True,
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, params: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None, etag: str | None = None) -> httpx.Response:
        """GET with retries; returns a 2xx or 304 response, raises HttpError otherwise."""
        return self.request("GET", url, params=params, headers=headers, etag=etag)

    def post(self, url: str, *, json: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a JSON body with the same retry policy (for query APIs such as OSV's)."""
        return self.request("POST", url, json=json, headers=headers)

    def request(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, etag: str | None = None,
                json: Any = None) -> httpx.Response:
        """One request with retries; a 2xx or 304 response, else HttpError."""
        headers = dict(headers or {})
        if etag:
            headers["If-None-Match"] = etag
        send = lambda: self._send_once(method, url, params, headers, json)  # noqa: E731
        return self._with_retries(send)

    def download(self, url: str, dest: Path, *, etag: str | None = None,
                 chunk_size: int = 1 << 20) -> httpx.Response:
        """Stream a GET to `dest` (written to a temporary file, renamed when complete).

        Same retry policy as `get`; returns the response (200, or 304 with `dest` untouched).
        A body shorter than its Content-Length is a retryable connection failure.
        """
        headers = {"If-None-Match": etag} if etag else {}
        return self._with_retries(lambda: self._download_once(url, dest, headers, chunk_size))

    def wait(self, seconds: float, why: str) -> None:
        """Wait as a server asked outside HTTP headers (StackExchange's `backoff` field)."""
        if seconds > self.max_retry_wait:
            raise HttpError(why, f"asked to wait {seconds:.0f} s, more than the "
                            f"{self.max_retry_wait:.0f} s limit (DLTRENDS_HTTP_MAX_RETRY_WAIT)",
                            transient=False)
        log.info("waiting %.1f s: %s", seconds, why)
        self._sleep(seconds)

    def _with_retries(self, send: Callable[[], httpx.Response]) -> httpx.Response:
        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, HttpError) and e.retryable
                                     and self._can_wait(e)),
            sleep=self._sleep,
            reraise=True,
            before_sleep=self._log_retry,
        )
        try:
            return retrying(send)
        except HttpError as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            if attempts > 1:
                exc.add_context(f"after {attempts} attempts")
            raise

    def paginate(self, url: str, *, params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> Iterator[httpx.Response]:
        """Follow `Link: <...>; rel="next"` headers from the first page to the last."""
        response = self.get(url, params=params, headers=headers)
        yield response
        while next_url := response.links.get("next", {}).get("url"):
            response = self.get(next_url, headers=headers)
            yield response

    def _send_once(self, method: str, url: str, params: dict[str, Any] | None,
                   headers: dict[str, str], json: Any) -> httpx.Response:
        self.requests_sent += 1
        try:
            response = self._client.request(method, url, params=params, headers=headers, json=json)
        except httpx.TransportError as exc:
            raise self._transport_error(url, exc) from None
        return self._checked(response)

    def _download_once(self, url: str, dest: Path, headers: dict[str, str],
                       chunk_size: int) -> httpx.Response:
        self.requests_sent += 1
        part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                self._checked(response)
                if response.status_code == 200:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with part.open("wb") as out:
                        for chunk in response.iter_bytes(chunk_size):
                            out.write(chunk)
                    part.replace(dest)
                return response
        except httpx.TransportError as exc:
            raise self._transport_error(url, exc) from None
        finally:
            part.unlink(missing_ok=True)

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        response.read()  # an error body is small; streamed responses have not read it yet
        body = self._safe(response.text[:2000])
        raise HttpError(
            self._safe(str(response.url)),
            f"HTTP {response.status_code} {response.reason_phrase}".strip(),
            status=response.status_code,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            body=body,
        )

    def _transport_error(self, url: str, exc: httpx.TransportError) -> HttpError:
        where = self._safe(self._url(url))
        if isinstance(exc, httpx.TimeoutException):
            return HttpError(where, f"timed out ({type(exc).__name__})")
        if _dns_failure(exc):
            host = self._client.base_url.join(url).host
            return HttpError(where, f"cannot resolve host {host} (no network, or a wrong URL "
                             "setting?)", transient=False)
        return HttpError(where, f"connection failed ({type(exc).__name__}: {self._safe(str(exc))})")

    def _safe(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _url(self, url: str) -> str:
        return str(self._client.base_url.join(url))

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, HttpError) and exc.retry_after is not None:
            return exc.retry_after
        backoff = min(2.0 ** (state.attempt_number - 1), 60.0, self.max_retry_wait)
        return backoff * random.uniform(0.8, 1.2)

    def _can_wait(self, exc: HttpError) -> bool:
        if exc.retry_after is not None and exc.retry_after > self.max_retry_wait:
            exc.add_context(f"Retry-After {exc.retry_after:.0f} s exceeds the "
                            f"{self.max_retry_wait:.0f} s limit (DLTRENDS_HTTP_MAX_RETRY_WAIT)")
            return False
        return True

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.info("retrying in %.1f s after %s (attempt %d)", wait, exc, state.attempt_number)


def _dns_failure(exc: BaseException) -> bool:
    """True when a transport error comes from a failed name lookup (socket.gaierror)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, socket.gaierror):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False

