"""The collect job: registry -> collector -> raw landing -> typed tables -> run log -> alerts -> publish.

Used by `dltrends collect` and by the scheduler. Holds the writer lock for the whole job, writes in
short per-batch transactions on the working file, evaluates the alert rules, and publishes once at
the end. A failing item is recorded and skipped; a failing source is recorded and the next source
still runs. A source with nothing to collect for the selected frameworks (no registry entries for
it) is skipped and leaves no run in the log. SIGTERM (jobs/terminate.py) rolls back the open
transaction and skips the publish.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from collectors.base import Inputs, ItemState, RawItem, SourceFailure
from collectors.common import stop_after_failures
from dltrends.redact import redact
from dltrends.registry import Registry
from dltrends.settings import Settings
from jobs.alerts import evaluate as alerts
from jobs.collect.sources import SOURCES, Source
from jobs.session import writer_session
from jobs.terminate import stop_if_requested
from warehouse.db import transaction
from warehouse.load import save_batch
from warehouse.publish import Published
from warehouse.runs import RunCounts, finish_run, start_run
from warehouse.store import load_state

log = logging.getLogger("jobs.collect")  # the job's name in log lines

BATCH_ITEMS = 8
BATCH_BYTES = 16 * 1024 * 1024  # response bytes; decoded payloads take several times more


class Progress:
    """Callbacks for long work; the CLI draws a progress bar, the scheduler logs."""

    def start(self, source: str, total: int) -> None: ...

    def advance(self, source: str, item: RawItem) -> None: ...

    def done(self, source: str) -> None: ...


@dataclass
class SourceResult:
    source: str
    run_id: int | None
    status: str
    counts: RunCounts
    seconds: float
    error: str | None = None

    def summary(self) -> str:
        if self.status == "skipped":
            return f"{self.source}: skipped, {self.error}"
        c = self.counts
        deferred = f", {c.items_deferred} deferred" if c.items_deferred else ""
        text = (f"{self.source}: {self.status}, {c.items_ok} new, {c.items_unchanged} unchanged, "
                f"{c.items_failed} failed{deferred}, {c.rows_written} rows written, {c.requests} "
                f"requests in {self.seconds:.1f} s (run {self.run_id})")
        return text + (f": {self.error}" if self.error and self.status == "failed" else "")


@dataclass
class CollectResult:
    sources: list[SourceResult] = field(default_factory=list)
    published: Published | None = None
    alerts: alerts.AlertRun | None = None

    @property
    def ok(self) -> bool:
        return all(s.status in ("ok", "skipped") for s in self.sources)


def collect(settings: Settings, registry: Registry, sources: list[str],
            frameworks: list[str] | None = None, *, full: bool = False,
            progress: Progress | None = None,
            sleep: Callable[[float], None] | None = None) -> CollectResult:
    """Run each source once and publish. Raises WarehouseBusy when another writer holds the lock."""
    progress = progress or Progress()
    result = CollectResult()
    options = f"sources={','.join(sources)} frameworks={','.join(frameworks or ['all'])}" + (
        " full" if full else "")
    inputs = Inputs(registry=registry, frameworks=frameworks, sleep=sleep)
    for name in sources:
        SOURCES[name].collector.check(settings, inputs)
    with writer_session(settings, f"dltrends collect {options}", registry) as session:
        for name in sources:
            result.sources.append(run_source(session.con, SOURCES[name], settings, inputs, full,
                                             options, progress))
        result.alerts = alerts.after_job(session.con, settings)
    result.published = session.published
    return result


def run_source(con: duckdb.DuckDBPyConnection, job: Source, settings: Settings, inputs: Inputs,
               full: bool, options: str, progress: Progress) -> SourceResult:
    """One source's run: plan, fetch, save in batches, record the run. Never raises for the
    source's own failure (it is recorded); SIGTERM and errors of the warehouse itself propagate."""
    started = time.perf_counter()
    registry, frameworks = inputs.registry, inputs.frameworks
    plan = None
    if job.plan is not None:
        plan = job.plan(settings, registry, frameworks)
        if not any(keys for _, keys in plan):
            return SourceResult(job.name, None, "skipped", RunCounts(), 0.0,
                                f"nothing to collect for the selected frameworks ({job.empty_hint})")
    run_id = start_run(con, job.name, options)
    counts = RunCounts()
    status = error = None
    collector = job.collector.from_settings(settings, inputs)
    try:
        # A warehouse plan is read lazily: a later stream's items may come from an earlier one's rows.
        steps = plan if plan is not None else job.warehouse_plan(con, settings, registry, frameworks,
                                                                  full)
        for stream, keys in steps:
            state = {} if full else {k: ItemState(etag, cursor) for k, (etag, cursor)
                                     in load_state(con, job.name, stream.name).items()}
            progress.start(job.name, len(keys))
            items = stop_after_failures(collector.fetch(stream, keys, state),
                                        settings.source_max_failures, job.name)
            _drain(con, run_id, items, counts,
                   lambda item: progress.advance(job.name, item), stream.batch_items or BATCH_ITEMS)
    except SourceFailure as exc:  # an expected stop (host unreachable, data missing): say why
        log.error("source %s failed: %s", job.name, exc)
        status, error = "failed", redact(str(exc))
    except Exception as exc:  # the source itself broke: record it, let the next source run
        stop_if_requested()  # unless SIGTERM interrupted a query: then stop, do not publish
        log.exception("source %s failed", job.name)
        status, error = "failed", redact(f"{type(exc).__name__}: {exc}")
    finally:
        counts.requests = collector.requests_sent
        collector.close()
        progress.done(job.name)
    with transaction(con):
        status = finish_run(con, run_id, counts, status, error)
    result = SourceResult(job.name, run_id, status, counts, time.perf_counter() - started,
                          error or counts.error_text())
    log.info(result.summary())
    return result


def _drain(con: duckdb.DuckDBPyConnection, run_id: int, items, counts: RunCounts,
           on_item: Callable[[RawItem], None], batch_items: int = BATCH_ITEMS) -> None:
    """Save items in batches and count them.

    A `new` item with meta["more"] is one part of a long listing: saved (with the cursor reached so
    far), but counted once, with its key's last part. A `new` item with meta["deferred"] saved what
    fitted and postponed the rest: it counts as new and as deferred. A `new` item with an error
    was saved, but parts of it failed (named in the run log).
    """
    batch: list[RawItem] = []
    size = 0
    for item in _until_stopped(items, lambda: batch and _save(con, run_id, batch, counts)):
        final = not item.meta.get("more")
        if final:
            on_item(item)
        if item.status == "failed":
            counts.fail(item.stream, item.key, item.error or "unknown error")
            log.warning("%s %s failed: %s", item.source, item.key, item.error)
        elif item.status == "unchanged":
            counts.items_unchanged += 1
        elif item.status == "deferred":
            counts.defer(item.stream, item.key, item.error or "deferred")
        else:
            if item.error:
                counts.fail(item.stream, item.key, item.error)
            if item.meta.get("deferred"):
                counts.defer(item.stream, item.key, item.meta["deferred"])
            batch.append(item)
            size += item.meta.get("bytes", 0)
            if len(batch) >= batch_items or size >= BATCH_BYTES:
                _save(con, run_id, batch, counts)
                batch.clear()
                size = 0
    if batch:
        _save(con, run_id, batch, counts)


def _until_stopped(items, before_stop: Callable[[], object]):
    """The items; when the source stops midway (SourceFailure), `before_stop` saves what it
    fetched before the stop is recorded."""
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except SourceFailure:
            before_stop()
            raise
        yield item


def _save(con: duckdb.DuckDBPyConnection, run_id: int, batch: list[RawItem], counts: RunCounts) -> None:
    counts.rows_written += save_batch(con, run_id, batch)
    counts.items_ok += sum(1 for i in batch if not i.meta.get("more"))
