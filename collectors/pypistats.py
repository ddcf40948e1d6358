"""pypistats.org API collector: daily downloads of the last 180 days, one request per series.

`<url>/api/packages/<name>/overall` (with and without mirrors, both in one answer),
`/python_minor` and `/system`, each a list of `{category, date, downloads}` rows. pypistats keeps
only 180 days and updates once a day, so:

- a series whose last stored day is yesterday (UTC) is not requested again that day;
- the answer is landed from three days before the last stored day on (older days were landed by
  earlier runs and pypistats does not revise them); `collect --full` lands and replaces all 180;
- dltrends keeps every day it has seen, so its history grows past 180 days from the first run.

Requests are throttled by the client (`DLTRENDS_PYPISTATS_RATE`, default 30 a minute, the site's
published limit) and sent one at a time. The first request is a quick probe: when pypistats cannot
be reached at all the source fails at once (`SourceUnavailable`) instead of retrying every series.
A 429 whose Retry-After is longer than DLTRENDS_HTTP_MAX_RETRY_WAIT defers the remaining series.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import httpx

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, utcnow
from collectors.common import Probe, decode_json, failed
from collectors.http import HttpClient, HttpError, RateLimiter, safe_url
from dltrends.settings import Settings

NAME = "pypistats"
TABLE = "core.pypi_downloads"
KEY = ("package_key", "dimension", "day", "category", "source")
# Item cursor: date
OVERALL = Stream("overall", TABLE, KEY)
# Item cursor: date
PYTHON_MINOR = Stream("python_minor", TABLE, KEY)
# Item cursor: date
SYSTEM = Stream("system", TABLE, KEY)
STREAMS = {s.name: s for s in (OVERALL, PYTHON_MINOR, SYSTEM)}
OVERLAP_DAYS = 3
PROBE_TIMEOUT = 10.0

log = logging.getLogger(__name__)


class PypistatsCollector(Collector):
    """Fetches pypistats series one at a time within the rate limit."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, today: Callable[[], dt.date] | None = None):
        self.client = client
        self._today = today or (lambda: utcnow().date())
        self._probe = Probe(client, NAME, "DLTRENDS_PYPISTATS_URL", PROBE_TIMEOUT)
        self._deferred: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> PypistatsCollector:
        sleep = inputs.sleep
        extra = {"sleep": sleep} if sleep else {}
        client = HttpClient(
            settings.pypistats_url,
            timeout=settings.http_timeout,
            retries=settings.http_retries,
            max_retry_wait=settings.http_max_retry_wait,
            contact=settings.contact,
            pool_size=1,
            limiter=RateLimiter(settings.pypistats_rate, **extra),
            deadline=settings.http_deadline,
            default_429_wait=60.0,  # its limit is per minute: a shorter wait only earns another 429
            **extra,
        )
        return cls(client)

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        """Yield one RawItem per package, in order; raises SourceUnavailable when unreachable."""
        if STREAMS.get(stream.name) is not stream:
            raise ValueError(f"pypistats has no stream {stream.name!r}")
        for key in items:
            yield self.fetch_one(stream, key, state.get(key, ItemState()))

    def fetch_one(self, stream: Stream, key: str, previous: ItemState) -> RawItem:
        """Fetch one series of one package; never raises for the series' own failure."""
        item = RawItem(NAME, stream.name, key, utcnow(), "unchanged", cursor=previous.cursor)
        yesterday = self._today() - dt.timedelta(days=1)
        if previous.cursor and previous.cursor >= yesterday.isoformat():
            return item  # pypistats publishes yesterday once a day: nothing newer exists yet
        if self._deferred:
            return failed(item, status="deferred", error=self._deferred)
        try:
            response = self._get(f"/api/packages/{key}/{stream.name}")
        except HttpError as exc:
            return self._failed(item, exc)
        item.meta["bytes"] = len(response.content)
        try:
            body = decode(response)
        except ValueError as exc:
            return failed(item, str(exc))
        days = sorted({r["date"] for r in body["data"]})
        if not days:
            return item  # no downloads recorded in the window: nothing to store
        item.cursor = max(days[-1], previous.cursor or "")
        if previous.cursor:  # earlier days were landed by earlier runs
            cutoff = (dt.date.fromisoformat(previous.cursor)
                      - dt.timedelta(days=OVERLAP_DAYS)).isoformat()
            body["data"] = [r for r in body["data"] if r["date"] > cutoff]
        item.status, item.payload = "new", body
        return item

    def _get(self, path: str) -> httpx.Response:
        return self._probe.get(path, headers={"Accept": "application/json"})

    def _failed(self, item: RawItem, exc: HttpError) -> RawItem:
        if exc.status == 429:
            self._deferred = f"pypistats rate limit: {exc.reason}; the next collect continues"
            return failed(item, status="deferred", error=self._deferred)
        if exc.status == 404:
            return failed(item, f"not on pypistats: {exc} (no downloads in its 180-day "
                                        "window, or not a PyPI project)")
        return failed(item, str(exc))


def decode(response: httpx.Response) -> dict[str, Any]:
    """The answer, or ValueError naming what is wrong with it (HTML, truncated, rows without dates)."""
    body = decode_json(response)
    where = safe_url(response.url)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ValueError(f"unexpected JSON shape (no data list) from {where}")
    bad = [r for r in body["data"] if not _daily_row(r)]
    if bad:
        raise ValueError(f"{len(bad)} of {len(body['data'])} rows are not daily "
                         f"{{category, date, downloads}} rows (first: {bad[0]!r}) from {where}")
    return body


def _daily_row(row: Any) -> bool:
    if not isinstance(row, dict) or not isinstance(row.get("downloads"), int):
        return False
    try:
        dt.date.fromisoformat(str(row.get("date")))
    except ValueError:
        return False
    return "category" in row
