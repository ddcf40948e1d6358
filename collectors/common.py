"""What the collectors share: client setup, JSON decoding with errors that say what is wrong,
months and snapshot days, and stopping a source whose host does not answer at all.

A host that gives no HTTP answer after the client's retries (no DNS, refused, timed out) stops its
source at once with `SourceUnreachable`: asking it for the next hundred items would only take the
same time again and bury the one clear message under a hundred copies. The job records the message
in the run log and goes on with the next source. For the same reason a source whose items keep
failing stops after DLTRENDS_SOURCE_MAX_FAILURES of them in a row (`stop_after_failures`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import httpx

from collectors.base import RawItem, SourceFailure, SourceUnavailable
from collectors.http import HttpClient, HttpError, safe_url

T = TypeVar("T")


class SourceUnreachable(SourceUnavailable):
    """The source's host gave no HTTP answer; nothing more is requested from it in this run."""


class TooManyFailures(SourceFailure):
    """So many items in a row failed that the rest would most likely fail the same way."""


def stop_after_failures(items: Iterable[RawItem], limit: int, source: str) -> Iterator[RawItem]:
    """The items, until `limit` of them in a row have failed (0: no limit): then, after yielding
    the last failed one, raise TooManyFailures naming the last error. Deferred items neither
    count nor break the run of failures; a saved or unchanged one ends it."""
    streak = 0
    for item in items:
        yield item
        if item.status == "failed":
            streak += 1
            if limit and streak >= limit:
                raise TooManyFailures(
                    f"{source} stopped after {streak} items in a row failed "
                    f"(DLTRENDS_SOURCE_MAX_FAILURES); the last, {item.key}: {item.error}")
        elif item.status != "deferred":
            streak = 0


def make_client(settings: Any, base_url: str, sleep: Callable[[float], None] | None, *,
                headers: dict[str, str] | None = None, secrets: Iterable[str] = (),
                pool_size: int | None = None) -> HttpClient:
    """An HttpClient with the settings' timeouts, retries and contact."""
    extra = {"sleep": sleep} if sleep else {}
    return HttpClient(
        base_url,
        timeout=settings.http_timeout,
        retries=settings.http_retries,
        max_retry_wait=settings.http_max_retry_wait,
        contact=settings.contact,
        pool_size=pool_size or settings.concurrency,
        headers=headers,
        secrets=secrets,
        deadline=settings.http_deadline,
        **extra,
    )


def secret(value: Any) -> str | None:
    """The plain text of an optional pydantic SecretStr."""
    return value.get_secret_value() if value is not None else None


def stop_if_unreachable(exc: HttpError) -> None:
    """Raise SourceUnreachable when the request could not even connect (the name does not
    resolve, the port refuses): the contract's rule for an unreachable source. A reset or a
    timeout on an open connection fails only its item."""
    if exc.cannot_connect:
        raise SourceUnreachable(f"{exc}; nothing more was requested from this source") from None


class Probe:
    """A run's first request is a quick probe (one retry, an optional shorter timeout): no HTTP
    answer at all fails the source at once with one message naming the setting to check, instead of
    retrying every item (pypistats, clickpy). Any answer, an error status included, ends the probe.
    """

    def __init__(self, client: HttpClient, source: str, setting: str, timeout: float | None = None):
        self.client, self.source, self.setting, self.timeout = client, source, setting, timeout
        self.answered = False

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        if self.answered:
            return self.client.get(path, **kwargs)
        quick: dict[str, Any] = {"retries": 1}
        if self.timeout is not None:
            quick["timeout"] = min(self.timeout, self.client.timeout)
        try:
            response = self.client.get(path, **kwargs, **quick)
        except HttpError as exc:
            if exc.unreachable:
                raise SourceUnavailable(
                    f"{self.source} cannot be reached at {self.client.base_url}: {exc.reason}; "
                    f"nothing was collected from it (check the network or {self.setting})"
                ) from None
            self.answered = True
            raise
        self.answered = True
        return response


def month_range(first: str, last: str) -> list[str]:
    """'2024-11', '2025-02' -> ['2024-11', '2024-12', '2025-01', '2025-02'] (empty if first > last)."""
    year, month = map(int, first.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def failed(item: RawItem, error: str, status: str = "failed") -> RawItem:
    item.status, item.error, item.payload = status, error, None  # type: ignore[assignment]
    return item


def decode_json(response: httpx.Response) -> Any:
    """The response's JSON, or ValueError naming what is wrong with the body."""
    ctype = response.headers.get("Content-Type", "")
    if "json" not in ctype:
        raise ValueError(f"expected JSON, got {ctype or 'no content type'} "
                         f"({len(response.content)} bytes) from {safe_url(response.url)}")
    try:
        return json.loads(response.content)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg} at byte {exc.pos} of "
                         f"{len(response.content)}; truncated body?) from {safe_url(response.url)}"
                         ) from None


def error_field(exc: HttpError, *names: str) -> str | None:
    """A message field from a JSON error body (APIs explain a 4xx there), if any."""
    try:
        body = json.loads(exc.body)
    except (json.JSONDecodeError, TypeError):
        return None
    if not isinstance(body, dict):
        return None
    return next((str(body[n]) for n in names if body.get(n)), None)


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def payload_bytes(payload: Any) -> int:
    """Approximate size of a payload, for the job's batch-size accounting."""
    return len(json.dumps(payload, separators=(",", ":")))
