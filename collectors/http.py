"""The one HTTP client layer: timeouts, User-Agent, retries that honour Retry-After, pagination.

Every collector talks HTTP through `HttpClient`; nothing else in dltrends sleeps or retries.
Retried: connection errors and timeouts, 429, 500, 502, 503, 504. A Retry-After header (seconds or
an HTTP date) sets the wait; otherwise capped exponential backoff with jitter. A wait longer than
`max_retry_wait` is not waited for: the request fails at once with that reason. A host name that
does not resolve is not retried (no network, or a typo in a URL setting): waiting seconds for DNS
to change only delays the other sources.
Error texts name the URL and the cause, never request headers (they may carry credentials). Every
text made from a URL goes through `redact`: query parameters with credential-like names (`key`,
`token`, `password`, `sig`, `auth...`) and the value of every secret a client was given (`secrets`,
an `Authorization` header) become "***". Credentials go only to the client's own host: a redirect or
a `Link: rel=next` to another host is followed without them (and logged).
Every request has an overall deadline (`deadline`, DLTRENDS_HTTP_DEADLINE), so a server that trickles
bytes cannot hold it longer, whatever the per-read timeout.
A client may also be throttled (`RateLimiter`: at most N requests in any 60 s window), which is how
sources with a published request budget (pypistats: 30 a minute) are kept within it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import os
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from collectors.deadline import PASSED as DEADLINE_PASSED
from collectors.deadline import bound_reads, within
from collectors.deadline import check as check_deadline
from dltrends import USER_AGENT
from dltrends.redact import credential_name, redact, register_secrets

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 10
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie"})
_sleep = time.sleep  # the one place dltrends waits between retries; tests replace it
_monotonic = time.monotonic  # the rate limiter's clock; tests replace it with _sleep


def safe_url(url: str | httpx.URL) -> str:
    """A URL as text for an error or a log line: the one way dltrends turns a URL into text."""
    return redact(str(url))


class HttpError(Exception):
    """A request that did not succeed; `status` is None for connection-level failures.

    `retryable` defaults to the status (connection errors, 429, 5xx); a client subclass that knows
    its API (GitHub's 403 secondary limit) can say otherwise.
    """

    def __init__(self, url: str, reason: str, status: int | None = None,
                 retry_after: float | None = None, *, transient: bool = True, body: str = "",
                 detail: str | None = None, retryable: bool | None = None):
        url, reason = redact(url), redact(reason)  # an error text never carries a credential
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.transient = transient
        self.body = body  # the start of an error response's body, for collectors to explain it
        self.detail = detail  # a plain-text error body on one line (ClickHouse puts its message there)
        self._retryable = retryable
        self.connect_failed = False

    def add_context(self, text: str) -> None:
        self.reason = f"{self.reason}; {redact(text)}"
        self.args = (f"{self.reason} ({self.url})",)

    @property
    def retryable(self) -> bool:
        if self._retryable is not None:
            return self._retryable
        return self.transient and (self.status is None or self.status in RETRY_STATUSES)

    @property
    def unreachable(self) -> bool:
        """True when no HTTP answer came at all (DNS, connection refused, timeout, reset)."""
        return self.status is None

    @property
    def cannot_connect(self) -> bool:
        """True when not even a connection was made (the name does not resolve, the port refuses
        or the connect timed out): the host is out of reach, not one request unlucky."""
        return self.status is None and self.connect_failed


class RateLimited(HttpError):
    """A rate limit that resets later than we are willing to wait: postpone the work, do not fail it.

    `reset_at` is when the budget comes back (UTC), None when the server did not say.
    """

    def __init__(self, url: str, reason: str, reset_at: dt.datetime | None = None,
                 status: int | None = None):
        super().__init__(url, reason, status, retryable=False)
        self.reset_at = reset_at


MAX_HINT = 366 * 86400.0  # the longest wait a server's hint is taken at (a year): no overflow
_ASCII_NUMBER = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,9})?")  # GitHub sometimes sends "4999.0"


def hint_seconds(value: str | None, cap: float = MAX_HINT) -> float | None:
    """A whole number from a header, ASCII digits only ("²" or Arabic-Indic digits are no number),
    at most `cap`; None when it is not such a number."""
    value = (value or "").strip()
    if not _ASCII_NUMBER.fullmatch(value):
        return cap if value.isascii() and value.isdigit() else None
    return min(float(value), cap)


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or any HTTP-date form: IMF-fixdate,
    RFC 850, asctime, with GMT or -0000); None when absent or unparseable (no hint, never an error).
    Dates without a zone are UTC (RFC 9110); the wait is clamped to 0..MAX_HINT."""
    if not value or not value.strip():
        return None
    if (seconds := hint_seconds(value)) is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime and "-0000" dates come back naive: HTTP dates are UTC
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    try:
        wait = (when - now).total_seconds()
    except OverflowError:
        return None
    return min(max(0.0, wait), MAX_HINT)


class RateLimiter:
    """At most `per_minute` requests in any 60-second window, sent at least `min_interval` s apart.

    Thread-safe; a caller waits (through the module's `_sleep`) until its slot. Slots are kept as
    scheduled send times, so the arithmetic holds even when tests replace the sleep.
    """

    WINDOW = 60.0

    def __init__(self, per_minute: int, *, min_interval: float = 0.25,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None):
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.min_interval = min_interval
        self._clock = clock or (lambda: _monotonic())
        self._sleep = sleep or (lambda seconds: _sleep(seconds))
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0  # total seconds spent waiting, for the run summary

    def acquire(self) -> float:
        """Wait for the next free slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            while self._sent and self._sent[0] <= now - self.WINDOW:
                self._sent.popleft()
            slot = now
            if len(self._sent) >= self.per_minute:
                slot = max(slot, self._sent[-self.per_minute] + self.WINDOW)
            if self._sent:
                slot = max(slot, self._sent[-1] + self.min_interval)
            self._sent.append(slot)
            wait = slot - now
            if wait > 0:
                self.waited += wait
                self._sleep(wait)
            return max(wait, 0.0)


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
        limiter: RateLimiter | None = None,
        default_429_wait: float | None = None,
        deadline: float | None = 600.0,
    ):
        agent = USER_AGENT if not contact else USER_AGENT.replace(")", f"; {contact})")
        self.max_retry_wait = max_retry_wait
        self.retries = retries
        self._secrets = [s for s in secrets if s]
        self._secrets += [v.split(" ", 1)[-1] for k, v in (headers or {}).items()
                          if _credential_header(k) and v]
        register_secrets(*self._secrets)
        self.timeout = timeout
        self.deadline = deadline or None  # seconds one request may take in all; None: no limit
        self._sleep = sleep or (lambda seconds: _sleep(seconds))
        self.limiter = limiter
        # A 429 without Retry-After: wait this long (a per-minute limit needs about a minute)
        # instead of the short exponential backoff.
        self.default_429_wait = default_429_wait
        self.requests_sent = 0
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": agent, **(headers or {})},
            follow_redirects=False,  # followed here: credentials go to our own host only
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
        )
        bound_reads(self._client)

    @property
    def base_url(self) -> str:
        return str(self._client.base_url)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, params: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None, etag: str | None = None,
            retries: int | None = None, timeout: float | None = None) -> httpx.Response:
        """GET with retries; returns a 2xx or 304 response, raises HttpError otherwise.

        `retries` and `timeout` override the client's for this call (a quick reachability probe).
        """
        return self.request("GET", url, params=params, headers=headers, etag=etag,
                            retries=retries, timeout=timeout)

    def post(self, url: str, *, json: Any = None, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, retries: int | None = None,
             timeout: float | None = None) -> httpx.Response:
        """POST a JSON body with the same retry policy (for query APIs whose requests are reads)."""
        return self.request("POST", url, params=params, headers=headers, json=json,
                            retries=retries, timeout=timeout)

    def request(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, etag: str | None = None,
                json: Any = None, retries: int | None = None,
                timeout: float | None = None) -> httpx.Response:
        """One request with retries; a 2xx or 304 response, else HttpError."""
        headers = dict(headers or {})
        if etag:
            headers["If-None-Match"] = etag
        send = lambda: self._send_once(method, url, params, headers, json, timeout)  # noqa: E731
        return self._with_retries(send, retries)

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

    def _with_retries(self, send: Callable[[], httpx.Response],
                      retries: int | None = None) -> httpx.Response:
        retrying = Retrying(
            stop=stop_after_attempt((self.retries if retries is None else retries) + 1),
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
        """Follow `Link: <...>; rel="next"` headers from the first page to the last; a next page
        on another host is asked for without credentials (see `_guard`)."""
        response = self.get(url, params=params, headers=headers)
        yield response
        while next_url := response.links.get("next", {}).get("url"):
            response = self.get(next_url, headers=headers)  # another host: without credentials
            yield response

    def _send_once(self, method: str, url: str, params: dict[str, Any] | None,
                   headers: dict[str, str], json: Any, timeout: float | None) -> httpx.Response:
        self._before_request(url)
        if self.limiter is not None:
            self.limiter.acquire()
        self.requests_sent += 1
        extra: dict[str, Any] = {} if timeout is None else {"timeout": httpx.Timeout(timeout)}
        if json is not None:
            extra["json"] = json
        request = self._client.build_request(method, url, params=params, headers=headers, **extra)
        try:
            with within(self.deadline):
                response = self._follow(request, stream=False)
        except httpx.TransportError as exc:
            raise self._transport_error(url, exc) from None
        self._after_response(response)
        return self._checked(response)

    def _download_once(self, url: str, dest: Path, headers: dict[str, str],
                       chunk_size: int) -> httpx.Response:
        self._before_request(url)
        if self.limiter is not None:
            self.limiter.acquire()
        self.requests_sent += 1
        part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
        request = self._client.build_request("GET", url, headers=headers)
        try:
            with within(self.deadline):
                response = self._follow(request, stream=True)
                try:
                    self._after_response(response)
                    self._checked(response)
                    if response.status_code == 200:
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        with part.open("wb") as out:
                            for chunk in response.iter_bytes(chunk_size):
                                check_deadline(httpx.ReadTimeout)
                                out.write(chunk)
                        part.replace(dest)
                finally:
                    response.close()
                return response
        except httpx.TransportError as exc:
            raise self._transport_error(url, exc) from None
        finally:
            part.unlink(missing_ok=True)

    def _follow(self, request: httpx.Request, *, stream: bool) -> httpx.Response:
        """Send, following redirects; a hop to another host goes without credentials."""
        request = self._guard(request)
        for _ in range(MAX_REDIRECTS):
            response = self._client.send(request, stream=stream)
            if response.next_request is None:
                return response
            response.close()
            request = self._guard(response.next_request)
        raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)

    def _guard(self, request: httpx.Request) -> httpx.Request:
        """The request as it may go out: to another host than the client's, without credentials
        (credential headers and query parameters), and logged."""
        if _origin(request.url) == _origin(self._client.base_url):
            return request
        headers = [(k, v) for k, v in request.headers.multi_items() if not _credential_header(k)]
        query = [(k, v) for k, v in request.url.params.multi_items() if not credential_name(k)]
        dropped = (len(request.headers.multi_items()) - len(headers)
                   + len(request.url.params.multi_items()) - len(query))
        if dropped:
            log.info("following %s %s on another host than %s: sent without its credentials",
                     request.method, self._safe(str(request.url.copy_with(query=None))),
                     self.base_url)
            request = httpx.Request(request.method, request.url.copy_with(params=query),
                                    headers=headers, stream=request.stream,
                                    extensions=request.extensions)
        return request


    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        response.read()  # an error body is small; streamed responses have not read it yet
        raise self._error(response)

    # Hooks for API-specific policy (collectors.http_github); the defaults do nothing special.
    def _before_request(self, url: str) -> None:
        """Called before every attempt; may wait for a rate-limit budget or raise RateLimited."""

    def _after_response(self, response: httpx.Response) -> None:
        """Called with every response, errors included (read rate-limit headers here)."""

    def _error(self, response: httpx.Response) -> HttpError:
        """The HttpError for a response with status >= 400 (its body already read)."""
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is None and response.status_code == 429:
            retry_after = self.default_429_wait
        detail = _text_detail(response)
        return HttpError(
            self._safe(str(response.url)),
            f"HTTP {response.status_code} {response.reason_phrase}".strip(),
            status=response.status_code,
            retry_after=retry_after,
            body=self._safe(response.text[:2000]),
            detail=self._safe(detail) if detail else None,
        )

    def _transport_error(self, url: str, exc: httpx.TransportError) -> HttpError:
        error = self._describe_transport(url, exc)
        error.connect_failed = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
        return error

    def _describe_transport(self, url: str, exc: httpx.TransportError) -> HttpError:
        where = self._safe(self._url(url))
        if isinstance(exc, httpx.TimeoutException) and DEADLINE_PASSED in str(exc):
            return HttpError(where, f"no complete answer within the {self.deadline:.0f} s deadline "
                             "for one request (DLTRENDS_HTTP_DEADLINE); not retried",
                             transient=False)
        if isinstance(exc, httpx.TimeoutException):
            return HttpError(where, f"timed out ({type(exc).__name__})")
        if _dns_failure(exc):
            host = self._client.base_url.join(url).host
            return HttpError(where, f"cannot resolve host {host} (no network, or a wrong URL "
                             "setting?)", transient=False)
        return HttpError(where, f"connection failed ({type(exc).__name__}: {self._safe(str(exc))})")

    def _safe(self, text: str) -> str:
        return redact(text, self._secrets)

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


def _text_detail(response: httpx.Response, limit: int = 300) -> str | None:
    """The start of a plain-text error body, on one line; None for other bodies."""
    if "text/plain" not in response.headers.get("Content-Type", ""):
        return None
    text = " ".join(response.text.split())
    return (text[:limit] + " ...") if len(text) > limit else (text or None)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


def _credential_header(name: str) -> bool:
    name = name.lower()
    return name in _CREDENTIAL_HEADERS or (name != "proxy-authorization" and credential_name(name))
