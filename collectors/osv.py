"""OSV collector: known vulnerabilities of every tracked PyPI package version (https://osv.dev).

Two streams:

- ``queries``: one item per (package, version) the warehouse lists, key ``<package>==<version>``.
  `POST <url>/v1/querybatch` answers up to 1,000 of them per request with the ids and modified
  times of the advisories that affect each version (OSV matches the version against each advisory's
  ranges). A query with many matches is paged with its own `next_page_token`. An item is reported
  unchanged when its list of (id, modified) is the one saved last time, so a daily run lands
  nothing new unless OSV changed its answer.
- ``advisories``: one item per advisory id, `GET <url>/v1/vulns/{id}`: summary, aliases (CVE, GHSA,
  PYSEC), severity, published and modified times, and per package the fixed versions. The job asks
  only for ids that are new or whose modified time moved.

The items of both streams come from the warehouse (see jobs/collect/sources.py): the versions from the
PyPI releases already collected, the ids from the answers of the first stream.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, completed, utcnow
from collectors.common import (
    chunks,
    decode_json,
    failed,
    make_client,
    payload_bytes,
    stop_if_unreachable,
)
from collectors.http import HttpClient, HttpError
from dltrends.settings import Settings

NAME = "osv"
# Item cursor: vulns_digest
QUERIES = Stream(name="queries", table="core.osv_version_vulns",
                 primary_key=("package_key", "version", "vuln_id"),
                 batch_items=1000)  # small answers: one transaction per querybatch
# Item cursor: modified
ADVISORIES = Stream(name="advisories", table="core.osv_advisories", primary_key=("vuln_id",), batch_items=200)
STREAMS = {QUERIES.name: QUERIES, ADVISORIES.name: ADVISORIES}
BATCH = 1000  # OSV refuses a querybatch of more than 1,000 queries ("Too many queries")
MAX_PAGES = 50  # follow-up pages per batch; a guard against a token that never ends


def query_key(package_key: str, version: str) -> str:
    return f"{package_key}=={version}"


def split_key(key: str) -> tuple[str, str]:
    package, _, version = key.partition("==")
    return package, version


class OsvCollector(Collector):
    """Batched version queries, then advisory records in parallel."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, concurrency: int = 8):
        self.client = client
        self.concurrency = concurrency

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> OsvCollector:
        sleep = inputs.sleep
        return cls(make_client(settings, settings.osv_url, sleep), settings.concurrency)

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        if stream is QUERIES:
            for batch in chunks(list(items), BATCH):
                yield from self._query_batch(batch, state)
        elif stream is ADVISORIES:
            yield from completed(self.fetch_advisory, items, self.concurrency)
        else:
            raise ValueError(f"osv has no stream {stream.name!r}")

    def _query_batch(self, keys: Sequence[str], state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        now = utcnow()
        try:
            answers = self._ask(keys)
        except HttpError as exc:
            stop_if_unreachable(exc)
            yield from (failed(RawItem(NAME, QUERIES.name, k, now, "new"), str(exc)) for k in keys)
            return
        except ValueError as exc:
            yield from (failed(RawItem(NAME, QUERIES.name, k, now, "new"), str(exc)) for k in keys)
            return
        for key, vulns in zip(keys, answers, strict=True):
            digest = _digest(vulns)
            previous = state.get(key, ItemState())
            item = RawItem(NAME, QUERIES.name, key, now, "unchanged", cursor=previous.cursor)
            if digest != previous.cursor:
                package, version = split_key(key)
                item.status, item.cursor = "new", digest
                item.payload = {"package": package, "version": version, "ecosystem": "PyPI",
                                "vulns": vulns}
                item.meta["bytes"] = payload_bytes(item.payload)
            yield item

    def _ask(self, keys: Sequence[str]) -> list[list[dict[str, Any]]]:
        """Every matching (id, modified) per key, following each query's page tokens."""
        queries = [_query(k) for k in keys]
        found: list[dict[str, dict]] = [{} for _ in keys]
        pending = list(range(len(keys)))
        for _ in range(MAX_PAGES):
            body = decode_json(self.client.post("/v1/querybatch",
                                                json={"queries": [queries[i] for i in pending]}))
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list) or len(results) != len(pending):
                raise ValueError(f"querybatch answered {len(results or [])} results for "
                                 f"{len(pending)} queries")
            next_pending = []
            for index, result in zip(pending, results, strict=True):
                for vuln in (result or {}).get("vulns") or []:
                    if isinstance(vuln, dict) and vuln.get("id"):
                        found[index][vuln["id"]] = {"id": vuln["id"], "modified": vuln.get("modified")}
                if token := (result or {}).get("next_page_token"):
                    queries[index] = {**_query(keys[index]), "page_token": token}
                    next_pending.append(index)
            if not next_pending:
                return [sorted(f.values(), key=lambda v: v["id"]) for f in found]
            pending = next_pending
        raise ValueError(f"querybatch still paging after {MAX_PAGES} pages")

    def fetch_advisory(self, vuln_id: str) -> RawItem:
        item = RawItem(NAME, ADVISORIES.name, vuln_id, utcnow(), "new")
        try:
            record = decode_json(self.client.get(f"/v1/vulns/{quote(vuln_id, safe='')}"))
        except HttpError as exc:
            stop_if_unreachable(exc)
            return failed(item, f"advisory not found on OSV: {exc}" if exc.status == 404 else str(exc))
        except ValueError as exc:
            return failed(item, str(exc))
        if not isinstance(record, dict) or record.get("id") != vuln_id:
            return failed(item, f"unexpected record for {vuln_id}: no matching id")
        item.payload = record
        item.cursor = record.get("modified")
        item.meta["bytes"] = payload_bytes(record)
        return item


def _query(key: str) -> dict[str, Any]:
    package, version = split_key(key)
    return {"package": {"name": package, "ecosystem": "PyPI"}, "version": version}


def _digest(vulns: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(vulns, sort_keys=True).encode()).hexdigest()[:16]
