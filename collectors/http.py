"""The one HTTP client layer: timeouts, User-Agent, retries that honour Retry-After, pagination.

Every collector talks HTTP through `HttpClient`; nothing else in dltrends sleeps or retries.
Retried: connection errors and timeouts, 429, 500, 502, 503, 504. A Retry-After header (seconds or
an HTTP date) sets the wait; otherwise capped exponential backoff with jitter. A wait longer than
`max_retry_wait` is not waited for: the request fails at once with that reason.
Error texts name the URL and the cause, never request headers (they may carry credentials).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from dltrends import USER_AGENT

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_sleep = time.sleep  # the one place dltrends waits between retries; tests replace it


class HttpError(Exception):
    """A request that did not succeed; `status` is None for connection-level failures.

    `retryable` defaults to the status (connection errors, 429, 5xx); a client subclass that knows
    its API (GitHub's 403 secondary limit) can say otherwise.
    """

    def __init__(self, url: str, reason: str, status: int | None = None,
                 retry_after: float | None = None, retryable: bool | None = None):
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self._retryable = retryable

    def add_context(self, text: str) -> None:
        self.reason = f"{self.reason}; {text}"
        self.args = (f"{self.reason} ({self.url})",)

    @property
    def retryable(self) -> bool:
        if self._retryable is not None:
            return self._retryable
        return self.status is None or self.status in RETRY_STATUSES


class RateLimited(HttpError):
    """A rate limit that resets later than we are willing to wait: postpone the work, do not fail it.

    `reset_at` is when the budget comes back (UTC), None when the server did not say.
    """

    def __init__(self, url: str, reason: str, reset_at: dt.datetime | None = None,
                 status: int | None = None):
        super().__init__(url, reason, status, retryable=False)
        self.reset_at = reset_at


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
    ):
        agent = USER_AGENT if not contact else USER_AGENT.replace(")", f"; {contact})")
        self.max_retry_wait = max_retry_wait
        self.retries = retries
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
        headers = dict(headers or {})
        if etag:
            headers["If-None-Match"] = etag
        return self.request("GET", url, params=params, headers=headers)

    def post(self, url: str, *, json: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a JSON body with the same retry policy (for read-only query APIs such as GraphQL)."""
        return self.request("POST", url, headers=dict(headers or {}), json=json)

    def request(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, json: Any = None) -> httpx.Response:
        """Send with retries; returns a 2xx, 3xx or 304 response, raises HttpError otherwise."""
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
            return retrying(self._send_once, method, url, params, headers or {}, json)
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
                   headers: dict[str, str], json: Any = None) -> httpx.Response:
        self._before_request(url)
        self.requests_sent += 1
        try:
            response = self._client.request(method, url, params=params, headers=headers, json=json)
        except httpx.TimeoutException as exc:
            raise HttpError(self._url(url), f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise HttpError(self._url(url), f"connection failed ({type(exc).__name__}: {exc})") \
                from None
        self._after_response(response)
        if response.status_code < 400:
            return response
        raise self._error(response)

    # Hooks for API-specific policy (collectors.http_github); the defaults do nothing special.
    def _before_request(self, url: str) -> None:
        """Called before every attempt; may wait for a rate-limit budget or raise RateLimited."""

    def _after_response(self, response: httpx.Response) -> None:
        """Called with every response, errors included (read rate-limit headers here)."""

    def _error(self, response: httpx.Response) -> HttpError:
        """The HttpError for a response with status >= 400."""
        return HttpError(
            str(response.url),
            f"HTTP {response.status_code} {response.reason_phrase}".strip(),
            status=response.status_code,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

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

