"""PyPI JSON API collector: one request per package (`<url>/pypi/<name>/json`).

The project JSON lists every release with its files, so one request gives a package's whole release
history on PyPI. Unchanged packages cost no parsing and no writes: the request is conditional on the
last ETag (304), and the body's `last_serial` (also sent as the `X-PyPI-Last-Serial` header) is
compared with the serial stored after the last successful fetch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httpx

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, completed, utcnow
from collectors.common import decode_json, failed, stop_if_unreachable
from collectors.http import HttpClient, HttpError, safe_url
from dltrends.settings import Settings

NAME = "pypi"
# Item cursor: last_serial
PROJECTS = Stream(
    name="projects",
    table="core.pypi_releases",
    primary_key=("package_key", "version"),
)
STREAMS = {PROJECTS.name: PROJECTS}

log = logging.getLogger(__name__)


class PypiCollector(Collector):
    """Fetches project JSON documents concurrently with a bounded pool."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, concurrency: int = 8):
        self.client = client
        self.concurrency = concurrency

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> PypiCollector:
        sleep = inputs.sleep
        extra = {"sleep": sleep} if sleep else {}
        client = HttpClient(
            settings.pypi_url,
            timeout=settings.http_timeout,
            retries=settings.http_retries,
            max_retry_wait=settings.http_max_retry_wait,
            contact=settings.contact,
            pool_size=settings.concurrency,
            deadline=settings.http_deadline,
            **extra,
        )
        return cls(client, settings.concurrency)

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        """Yield one RawItem per package, as requests complete."""
        if stream is not PROJECTS:
            raise ValueError(f"pypi has no stream {stream.name!r}")
        yield from completed(lambda key: self.fetch_one(key, state.get(key, ItemState())),
                             items, self.concurrency)

    def fetch_one(self, key: str, previous: ItemState) -> RawItem:
        """Fetch one package; never raises for the package's own failure."""
        fetched_at = utcnow()
        item = RawItem(NAME, PROJECTS.name, key, fetched_at, "unchanged",
                       cursor=previous.cursor, etag=previous.etag)
        try:
            response = self.client.get(f"/pypi/{key}/json", etag=previous.etag,
                                       headers={"Accept": "application/json"})
        except HttpError as exc:
            stop_if_unreachable(exc)
            return failed(item, _describe(exc))
        if response.status_code == 304:
            return item
        item.etag = response.headers.get("ETag") or previous.etag
        item.meta["bytes"] = len(response.content)
        serial = response.headers.get("X-PyPI-Last-Serial")
        if serial and serial == previous.cursor:
            return item
        try:
            payload = _decode(response)
        except ValueError as exc:
            return failed(item, str(exc))
        item.cursor = str(payload["last_serial"])
        if item.cursor == previous.cursor:
            return item
        item.status, item.payload = "new", payload
        return item


def _describe(exc: HttpError) -> str:
    if exc.status == 404:
        return f"not found on the index: {exc}"
    return str(exc)


def _decode(response: httpx.Response) -> dict[str, Any]:
    """The project JSON, or ValueError naming what is wrong with the body."""
    payload = decode_json(response)
    if not (isinstance(payload, dict) and isinstance(payload.get("info"), dict)
            and isinstance(payload.get("releases"), dict)
            and isinstance(payload.get("last_serial"), int)):
        raise ValueError("unexpected JSON shape (no info/releases/last_serial) from "
                         f"{safe_url(response.url)}")
    return payload
