"""The collector contract, stated once and enforced by `Collector`.

A collector is one module per source (`collectors/pypi.py`, ...). It never touches DuckDB: it turns
HTTP responses into `RawItem`s and the job hands those to the warehouse. Each collector module offers

- ``NAME``: the source name used by ``dltrends collect --source NAME`` and in ``collector_runs``.
- ``STREAMS``: the streams it can fetch, each a `Stream` that declares the warehouse table it feeds
  and that table's natural key next to the fetch code. The keys themselves live in the ordered
  migrations (`warehouse/migrations/`), which the upsert reads; a test checks every stream's
  declared key against them, so the two cannot drift.
- a subclass of `Collector`, which is what the job relies on:

  * ``from_settings(settings, inputs)`` builds it. `Settings` carry the URLs, timeouts and
    secrets; `Inputs` carry what a run adds: the registry and the selected frameworks, a
    backfill's window and dry-run flag, and the sleep to use (tests pass a fake one).
  * ``check(settings, inputs)`` refuses, before anything is written, a configuration the source
    cannot run with (missing credentials): it raises `dltrends.errors.ConfigError` (exit 2).
  * ``fetch(stream, items, state) -> Iterator[RawItem]``:

    - ``stream`` is one of ``STREAMS``;
    - ``items`` are the keys to fetch (package names, repos), decided by the job from the registry;
    - ``state`` maps an item key to the `ItemState` saved after its last successful fetch (HTTP
      validators and cursor); the collector uses it to make conditional requests and to report an
      item as ``unchanged`` without decoding or returning its payload.

    ``fetch`` yields exactly one `RawItem` per requested item, in completion order, and never
    raises for one item's failure: a failed item comes back with ``status="failed"`` and ``error``
    naming its cause, so the job records it and goes on with the rest. An item postponed to a
    later run (a rate limit that resets too late) comes back ``status="deferred"`` with ``error``
    saying why. An item's id is ``RawItem.key``; its updated marker is ``RawItem.cursor`` (PyPI's
    ``last_serial``, GitHub's ``updated_at``, a download series' last day, ...), saved with the
    item's rows and handed back in ``state`` next time.
  * ``requests_sent``: the HTTP requests made so far (the run log records it).
  * ``exists(key)``: whether the source knows an item (a package, a repo), for checking a name
    before it is tracked; None where the source cannot tell.
  * ``close()`` releases its HTTP connections.

  Two refinements for long histories (a repo's issue listing, a backfill that spans runs):
  a ``new`` item with ``meta["more"] = True`` is one part of its key's data, followed by more parts
  and finally by the key's last item; each part carries the cursor reached so far, and the job saves
  parts in order, so a cursor only ever advances together with the rows it covers. A ``new`` item
  with ``meta["deferred"] = reason`` saved what fitted (its cursor says how far it got) and
  postponed the rest to a later run.

An unreachable source: a request that cannot even connect (the name does not resolve, the port
refuses, the connect times out; after the client's retries) stops the source with
`SourceUnavailable` instead of failing every item slowly; the job records the source as failed
with that message and goes on with the next source. A reset or a timeout on an open connection
fails only its item. `collectors.common.stop_if_unreachable` raises it from an item's `HttpError`;
`collectors.common.Probe` also makes a run's first request a quick one, for sources that are
often out of reach (pypistats, ClickPy). GitHub's two collectors say it per item (`GitHub API
unreachable, so no item was asked for`), because their rate-limit budget is shared and recorded
per item.

All HTTP policy (timeouts, retries, Retry-After, User-Agent, pagination) lives in `collectors.http`;
no collector sleeps or retries on its own.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeVar

if TYPE_CHECKING:
    from dltrends.registry import Registry
    from dltrends.settings import Settings

ItemStatus = Literal["new", "unchanged", "failed", "deferred"]


class SourceFailure(Exception):
    """The whole source cannot go on, for a reason its message states in full (no traceback)."""


class SourceUnavailable(SourceFailure):
    """The source cannot be reached at all; the message says where, why and what to check."""


@dataclass(frozen=True)
class Stream:
    """What a stream feeds: its typed table and that table's natural key."""

    name: str
    table: str
    primary_key: tuple[str, ...]
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


@dataclass(frozen=True)
class Inputs:
    """What a run hands a collector besides the settings."""

    registry: Registry | None = None
    frameworks: list[str] | None = None  # the registry ids selected (None: all)
    since: dt.date | None = None  # a backfill's window
    until: dt.date | None = None
    dry_run: bool = False  # price, do not run (BigQuery)
    sleep: Callable[[float], None] | None = None  # the client's sleep (tests pass a fake)


NO_INPUTS = Inputs()


class Collector(ABC):
    """The interface the job relies on (see the module docstring for the whole contract)."""

    name: ClassVar[str]
    streams: ClassVar[dict[str, Stream]]
    client: Any  # the HTTP client: counts requests_sent, closes

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> Self:
        """The collector for a run, configured from the settings and the run's inputs."""

    @classmethod
    def check(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> None:
        """Raise ConfigError when the source cannot run with these settings (nothing written)."""
        return None

    @abstractmethod
    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        """One RawItem per item; raises only SourceFailure (the whole source cannot go on)."""

    @property
    def requests_sent(self) -> int:
        return self.client.requests_sent

    def exists(self, key: str) -> bool | None:
        """Whether the source knows `key`; None where it cannot tell."""
        return None

    def close(self) -> None:
        self.client.close()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


T = TypeVar("T")
R = TypeVar("R")


def completed(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """fn(item) for every item on `workers` threads, yielded as each finishes.

    At most 2 x workers calls are pending at once and a result is dropped once yielded, so memory
    stays bounded however many items there are (payloads can be megabytes each). When the
    consumer stops early (an error, SIGTERM) the calls still in flight are not waited for.
    """
    pending: set[Future[R]] = set()
    source = iter(items)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="fetch")
    finished = False
    try:
        for item in source:
            pending.add(pool.submit(fn, item))
            if len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in done)
        finished = True
    finally:
        pool.shutdown(wait=finished, cancel_futures=True)
