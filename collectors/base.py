"""The collector contract, stated once.

A collector is one module per source (`collectors/pypi.py`, ...). It never touches DuckDB: it turns
HTTP responses into `RawItem`s and the job hands those to the warehouse. Each collector module offers

- ``NAME``: the source name used by ``dltrends collect --source NAME`` and in ``collector_runs``.
- ``STREAMS``: the streams it can fetch, each a `Stream` that declares the warehouse table it feeds,
  that table's natural key and the item's cursor field, next to the fetch code, so the upsert key
  cannot drift from the collector.
- a collector class built from the settings, with
  ``fetch(stream, items, state) -> Iterator[RawItem]``:

  * ``stream`` is one of ``STREAMS``;
  * ``items`` are the keys to fetch (package names, repos), decided by the job from the registry;
  * ``state`` maps an item key to the `ItemState` saved after its last successful fetch (HTTP
    validators and cursor); the collector uses it to make conditional requests and to report an
    item as ``unchanged`` without decoding or returning its payload.

  ``fetch`` yields exactly one `RawItem` per requested item, in completion order, and never raises
  for one item's failure: a failed item comes back with ``status="failed"`` and ``error`` naming its
  cause, so the job records it and goes on with the rest. An item postponed to a later run (a rate
  limit that resets too late) comes back ``status="deferred"`` with ``error`` saying why.
  An item's id is ``RawItem.key``; its updated marker is ``RawItem.cursor`` (PyPI's
  ``last_serial``, GitHub's ``updated_at``, ...).

  Two refinements for long histories (a repo's issue listing, a backfill that spans runs):
  a ``new`` item with ``meta["more"] = True`` is one part of its key's data, followed by more parts
  and finally by the key's last item; each part carries the cursor reached so far, and the job saves
  parts in order, so a cursor only ever advances together with the rows it covers. A ``new`` item
  with ``meta["deferred"] = reason`` saved what fitted (its cursor says how far it got) and
  postponed the rest to a later run.
- ``close()`` releases its HTTP connections.

A collector whose whole source is out of reach (its host does not resolve or answer) raises
`SourceUnavailable` from ``fetch`` after one quick probe instead of failing every item slowly; the
job records the source as failed with that message and goes on with the next source.

All HTTP policy (timeouts, retries, Retry-After, User-Agent, pagination) lives in `collectors.http`;
no collector sleeps or retries on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

ItemStatus = Literal["new", "unchanged", "failed", "deferred"]


class SourceFailure(Exception):
    """The whole source cannot go on, for a reason its message states in full (no traceback)."""


class SourceUnavailable(SourceFailure):
    """The source cannot be reached at all; the message says where, why and what to check."""


@dataclass(frozen=True)
class Stream:
    """What a stream feeds: its typed table, that table's natural key, the item cursor field."""

    name: str
    table: str
    primary_key: tuple[str, ...]
    cursor_field: str | None = None
    batch_items: int = 0  # items saved per transaction; 0: the job's default (sized for big payloads)


@dataclass(frozen=True)
class ItemState:
    """What the warehouse remembers of an item's last successful fetch."""

    etag: str | None = None
    cursor: str | None = None


@dataclass
class RawItem:
    """One fetched item with its provenance; `payload` is None unless status is "new"."""

    source: str
    stream: str
    key: str
    fetched_at: dt.datetime
    status: ItemStatus
    payload: dict[str, Any] | None = None
    cursor: str | None = None
    etag: str | None = None
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> ItemState:
        return ItemState(etag=self.etag, cursor=self.cursor)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


T = TypeVar("T")
R = TypeVar("R")


def completed(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """fn(item) for every item on `workers` threads, yielded as each finishes.

    At most 2 x workers calls are pending at once and a result is dropped once yielded, so memory
    stays bounded however many items there are (payloads can be megabytes each).
    """
    pending: set[Future[R]] = set()
    source = iter(items)
    with ThreadPoolExecutor(workers, thread_name_prefix="fetch") as pool:
        try:
            for item in source:
                pending.add(pool.submit(fn, item))
                if len(pending) >= 2 * workers:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from (f.result() for f in done)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
        finally:
            for future in pending:
                future.cancel()
