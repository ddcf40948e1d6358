"""Stack Overflow collector: each registry tag's question count, one snapshot per UTC day.

`GET <url>/2.3/tags/{tag;tag;...}/info?site=stackoverflow` answers up to 100 tags at once, so the
whole registry costs one request a day. The API allows 300 requests a day per IP address without a
key and 10,000 with one (STACKEXCHANGE_KEY, sent as the `key` parameter and never written anywhere);
every answer reports `quota_remaining`, and may carry a `backoff` (seconds to wait before calling the
same method again), which the client honours. A throttled call (`throttle_violation`) or a used-up
quota defers the tags to the next run.

The API gives only today's count, so history starts with the first collect: one row per tag per
day. A second collect on the same UTC day asks nothing (`collect --full` asks again and replaces
that day's count).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, utcnow
from collectors.common import (
    chunks,
    decode_json,
    error_field,
    failed,
    make_client,
    secret,
    stop_if_unreachable,
)
from collectors.http import HttpClient, HttpError
from dltrends.settings import Settings

NAME = "stackoverflow"
BATCH = 100  # tags per request: the API's limit on vectorised ids
# Item cursor: snapshot_date
TAGS = Stream(name="tags", table="core.stackoverflow_tags_daily", primary_key=("tag", "snapshot_date"),
              batch_items=BATCH)
STREAMS = {TAGS.name: TAGS}
SITE = "stackoverflow"

log = logging.getLogger(__name__)


class StackOverflowCollector(Collector):
    """Fetches tag info in batches of up to 100 tags."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, key: str | None = None):
        self.client = client
        self.key = key

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> StackOverflowCollector:
        sleep = inputs.sleep
        key = secret(settings.stackexchange_key)
        return cls(make_client(settings, settings.stackoverflow_url, sleep, secrets=[key or ""]), key)

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        """One RawItem per tag; tags already snapshotted today come back unchanged, unasked."""
        if stream is not TAGS:
            raise ValueError(f"stackoverflow has no stream {stream.name!r}")
        now = utcnow()
        today = now.date().isoformat()
        due = []
        for tag in items:
            previous = state.get(tag, ItemState())
            if previous.cursor == today:
                yield RawItem(NAME, TAGS.name, tag, now, "unchanged", cursor=previous.cursor)
            else:
                due.append(tag)
        stop_reason = None
        for batch in chunks(due, BATCH):
            if stop_reason:
                yield from (failed(self._item(t), stop_reason, "deferred") for t in batch)
                continue
            body, results = self._batch(list(batch), today)
            yield from results
            stop_reason = self._pause(body)

    def _item(self, tag: str) -> RawItem:
        return RawItem(NAME, TAGS.name, tag, utcnow(), "new")

    def _batch(self, tags: list[str], today: str) -> tuple[dict, list[RawItem]]:
        params = {"site": SITE, "pagesize": BATCH, **({"key": self.key} if self.key else {})}
        path = "/2.3/tags/" + ";".join(quote(t, safe="") for t in tags) + "/info"
        try:
            body = decode_json(self.client.get(path, params=params))
            if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                raise ValueError(f"unexpected JSON shape (no items list) from {path}")
        except HttpError as exc:
            stop_if_unreachable(exc)
            reason, status = _explain(exc)
            return {}, [failed(self._item(t), reason, status) for t in tags]
        except ValueError as exc:
            return {}, [failed(self._item(t), str(exc)) for t in tags]
        found = {str(i.get("name", "")).lower(): i for i in body["items"] if isinstance(i, dict)}
        return body, [self._result(tag, found.get(tag.lower()), body, today) for tag in tags]

    def _result(self, tag: str, info: dict | None, body: dict, today: str) -> RawItem:
        item = self._item(tag)
        if info is None or not isinstance(info.get("count"), int):
            return failed(item, f"no tag {tag!r} on {SITE} (a synonym of another tag, or renamed?)")
        item.payload = {"site": SITE, "snapshot_date": today, "tag": tag, "info": info,
                        "quota_max": body.get("quota_max"),
                        "quota_remaining": body.get("quota_remaining")}
        item.cursor = today
        return item

    def _pause(self, body: dict) -> str | None:
        """Honour `backoff`; return why the remaining batches must wait for a later run."""
        if body.get("quota_remaining") == 0:
            return (f"the daily quota of {body.get('quota_max')} requests is used up; it resets "
                    "at 00:00 UTC (a STACKEXCHANGE_KEY raises it to 10,000)")
        if backoff := body.get("backoff"):
            try:
                self.client.wait(float(backoff), "StackExchange asked for a backoff")
            except HttpError as exc:
                return str(exc)
        return None


def _explain(exc: HttpError) -> tuple[str, str]:
    """(reason, item status) for an error answer; StackExchange explains errors in the body."""
    name = error_field(exc, "error_name")
    message = error_field(exc, "error_message")
    if name == "throttle_violation":
        return f"throttled by StackExchange: {message} ({exc})", "deferred"
    if name:
        return f"StackExchange error {name}: {message} ({exc})", "failed"
    return str(exc), "failed"
