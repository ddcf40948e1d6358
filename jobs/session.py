"""The one writer's session on the warehouse, and the readers' check that a published file exists.

Every command that writes (collect, backfill, bench, rebuild, compact, backup, alerts check) runs
inside `writer_session`, which does the same steps in the same order for all of them:

1. take the writer lock (`WarehouseBusy`, exit 75, after DLTRENDS_LOCK_TIMEOUT);
2. read the registry, when the job acts on one (a callable is called under the lock);
3. open the working file (pending migrations applied; seeded from the published file if lost);
4. in one transaction: save the registry, the sources' expectations, and mark runs that an
   earlier process left "running" as failed;
5. the job's own block, with the open connection as `session.con`;
6. the pre-publish steps the job registered (`session.before_publish`), then close the file;
7. publish (checkpoint, copy, fsync, atomic rename), unless the job said there is nothing new.

An exception in the block (a failed job, SIGTERM) skips steps 6 and 7: the published file stays as
it was. See docs/architecture.md for why there is one writer and a published copy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dltrends.errors import UsageError
from dltrends.registry import Registry
from dltrends.settings import Settings
from jobs.schedule.timetable import expectations
from warehouse.db import open_working, transaction
from warehouse.lock import writer_lock
from warehouse.operations import save_expectations
from warehouse.publish import Published, checkpoint, publish
from warehouse.registry import save_registry
from warehouse.runs import close_interrupted_runs

log = logging.getLogger(__name__)

PrePublish = Callable[[duckdb.DuckDBPyConnection], None]


@dataclass
class WriterSession:
    """What a job holds while it writes: the open working file and what happens at the end."""

    settings: Settings
    con: duckdb.DuckDBPyConnection | None
    registry: Registry | None = None
    before_publish: list[PrePublish] = field(default_factory=list)
    compact_ratio: float | None = None  # None: DLTRENDS_COMPACT_RATIO; 0 after a rewrite
    publish: bool = True  # False when the job changed nothing worth a new copy
    published: Published | None = None

    def close_working(self) -> Path:
        """Close and checkpoint the working file, for jobs that rewrite it whole (rebuild, compact,
        backup); returns its path. The lock is still held."""
        if self.con is not None:
            self.con.close()
            self.con = None
        checkpoint(self.settings.work_path)
        return self.settings.work_path


@contextmanager
def writer_session(settings: Settings, purpose: str,
                   registry: Registry | Callable[[], Registry] | None = None, *,
                   prepare: bool = True, existing: bool = False) -> Iterator[WriterSession]:
    """Hold the writer lock with the working file open; publish when the block ends cleanly.

    `purpose` is what `dltrends status` shows as the lock's holder. `prepare=False` skips step 4
    (the maintenance commands leave the run log and expectations as they are); `existing=True`
    refuses to start without a warehouse (exit 2) instead of creating one.
    """
    if existing and not settings.work_path.exists() and not settings.db.exists():
        raise UsageError(f"no warehouse at {settings.db}; run `dltrends collect` first")
    with writer_lock(settings.lock_path, settings.lock_timeout, purpose):
        if callable(registry):
            registry = registry()
        session = WriterSession(settings, open_working(settings.work_path, settings.db), registry)
        try:
            if prepare:
                _prepare(session)
            yield session
            for step in session.before_publish:
                if session.con is None:
                    raise RuntimeError("a pre-publish step needs the working file open")
                step(session.con)
        finally:
            if session.con is not None:
                session.con.close()
        if session.publish:
            ratio = settings.compact_ratio if session.compact_ratio is None else session.compact_ratio
            session.published = publish(settings.work_path, settings.db, ratio)


def _prepare(session: WriterSession) -> None:
    con = session.con
    with transaction(con):
        if session.registry is not None:
            save_registry(con, session.registry)
        save_expectations(con, expectations(session.settings))
        if closed := close_interrupted_runs(con):
            log.warning("marked %d interrupted run(s) as failed", closed)


def require_published(db: Path) -> None:
    """Refuse (exit 2) a reader's command before the first publish."""
    if not db.exists():
        raise UsageError(f"no published warehouse at {db}; run `dltrends collect` first")
