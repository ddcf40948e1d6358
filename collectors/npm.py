"""npm collector: daily downloads of the JavaScript builds (the registry's `npm` lists).

`GET <url>/downloads/range/<start>:<end>/<package>` returns one count per day. A range may span at
most 18 months, and the data starts on 2015-01-10, so the first collect of a package reads its
history in chunks of 540 days; later collects read from a few days before the last one they saw to
yesterday (npm computes a day's count shortly after midnight UTC, so the latest day is re-read once
it is final). Scoped names (`@tensorflow/tfjs`) keep their slash: the single-package endpoint
accepts them (the bulk endpoint does not, so it is not used). A package is read at most once per
UTC day; `collect --full` re-reads its whole history.

Counts are downloads, not users: CI systems and mirrors download too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, completed, utcnow
from collectors.common import (
    decode_json,
    error_field,
    failed,
    make_client,
    payload_bytes,
    stop_if_unreachable,
)
from collectors.http import HttpClient, HttpError
from dltrends.settings import Settings

NAME = "npm"
# Item cursor: day
DOWNLOADS = Stream(name="downloads", table="core.npm_downloads_daily", primary_key=("package", "day"))
STREAMS = {DOWNLOADS.name: DOWNLOADS}
MAX_RANGE_DAYS = 540  # npm allows 18 months per range request
OVERLAP_DAYS = 3  # days re-read before the last one seen, in case npm finalised them late


class NpmCollector(Collector):
    """Fetches daily download ranges, one package per worker."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, since: dt.date, concurrency: int = 4):
        self.client = client
        self.since = since
        self.concurrency = concurrency

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> NpmCollector:
        sleep = inputs.sleep
        return cls(make_client(settings, settings.npm_url, sleep), settings.npm_since,
                   min(settings.concurrency, 4))

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        """One RawItem per package with every day read in this run."""
        if stream is not DOWNLOADS:
            raise ValueError(f"npm has no stream {stream.name!r}")
        yield from completed(lambda p: self.fetch_one(p, state.get(p, ItemState())), items,
                             self.concurrency)

    def fetch_one(self, package: str, previous: ItemState) -> RawItem:
        """Read the days not yet seen (with a short overlap) up to yesterday."""
        now = utcnow()
        today = now.date()
        last_seen, read_on = _parse_cursor(previous.cursor)
        item = RawItem(NAME, DOWNLOADS.name, package, now, "unchanged", cursor=previous.cursor)
        if read_on == today:
            return item
        end = today - dt.timedelta(days=1)
        start = self.since if last_seen is None else max(
            self.since, last_seen - dt.timedelta(days=OVERLAP_DAYS - 1))
        ranges = []
        try:
            for first, last in date_chunks(start, end, MAX_RANGE_DAYS):
                if (body := self._range(package, first, last)) is not None:
                    ranges.append(body)
        except HttpError as exc:
            stop_if_unreachable(exc)
            return failed(item, _describe(exc, package))
        except ValueError as exc:
            return failed(item, str(exc))
        item.status = "new"
        item.payload = {"package": package, "ranges": ranges}
        item.cursor = f"{end.isoformat()}|{today.isoformat()}"
        item.meta["bytes"] = payload_bytes(item.payload)
        return item

    def _range(self, package: str, first: dt.date, last: dt.date) -> dict | None:
        """One range answer; None when npm has no stats for that range of an existing package."""
        path = f"/downloads/range/{first.isoformat()}:{last.isoformat()}/{package}"
        try:
            body = decode_json(self.client.get(path))
        except HttpError as exc:
            message = error_field(exc, "error") or ""
            if exc.status == 404 and "no stats" in message.lower():
                return None
            raise
        if not isinstance(body, dict) or not isinstance(body.get("downloads"), list):
            raise ValueError(f"unexpected JSON shape (no downloads list) from {path}")
        return body


def date_chunks(start: dt.date, end: dt.date, days: int) -> Iterator[tuple[dt.date, dt.date]]:
    """[start, end] cut into consecutive inclusive ranges of at most `days` days."""
    while start <= end:
        last = min(end, start + dt.timedelta(days=days - 1))
        yield start, last
        start = last + dt.timedelta(days=1)


def _parse_cursor(cursor: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The cursor is "<last day read>|<UTC day it was read on>"."""
    if not cursor or "|" not in cursor:
        return None, None
    last, read_on = cursor.split("|", 1)
    return dt.date.fromisoformat(last), dt.date.fromisoformat(read_on)


def _describe(exc: HttpError, package: str) -> str:
    message = error_field(exc, "error")
    if exc.status == 404:
        return f"not found on npm: {message or exc}"
    return f"{message}: {exc}" if message else str(exc)
