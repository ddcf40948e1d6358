"""The backfill job: load download history a source keeps beyond what `collect` asks for.

`dltrends backfill --source clickpy [--since 2016-01-01]` asks ClickPy for every tracked package's
daily totals since `--since`, then its version, Python, OS, installer and country mix year by year.
Each finished item is committed with its cursor, so an interrupted or partly failed backfill
resumes where it stopped: items already complete are skipped without a request. After a
backfill, `dltrends collect` tops ClickPy up daily. `--source bigquery` does the same from BigQuery
(see collectors/bigquery.py), one day at a time, within DLTRENDS_BIGQUERY_MAX_GB.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

from collectors import bigquery, clickpy
from collectors.base import Inputs
from dltrends.errors import UsageError
from dltrends.registry import Registry
from dltrends.settings import Settings
from jobs.collect.run import CollectResult, Progress, run_source
from jobs.collect.sources import SOURCES, Source, clickpy_backfill_plan
from jobs.session import writer_session

log = logging.getLogger(__name__)

BACKFILL_SOURCES = ("clickpy", "bigquery")


def backfill(settings: Settings, registry: Registry, source: str, *,
             since: dt.date | None = None, until: dt.date | None = None,
             frameworks: list[str] | None = None, dry_run: bool = False,
             progress: Progress | None = None,
             sleep: Callable[[float], None] | None = None) -> CollectResult:
    """Run one backfill and publish. Raises WarehouseBusy when another writer holds the lock."""
    job = backfill_job(source, since, until)
    inputs = Inputs(registry=registry, frameworks=frameworks, since=since, until=until,
                    dry_run=dry_run, sleep=sleep)
    job.collector.check(settings, inputs)  # refuse a missing credential before anything is written
    options = (f"backfill since={since or 'default'} until={until or 'default'} "
               f"frameworks={','.join(frameworks or ['all'])}" + (" dry-run" if dry_run else ""))
    result = CollectResult()
    with writer_session(settings, f"dltrends {options}", registry) as session:
        result.sources.append(run_source(session.con, job, settings, inputs, False, options,
                                         progress or Progress()))
    result.published = session.published
    return result


def backfill_job(source: str, since: dt.date | None, until: dt.date | None) -> Source:
    """The source with a backfill plan over [since, until]; its collector takes the same window
    from the run's `Inputs`."""
    if source not in BACKFILL_SOURCES:
        raise UsageError(f"no backfill for source {source!r}; backfill knows "
                         f"{', '.join(BACKFILL_SOURCES)}")
    if since and until and since > until:
        raise UsageError(f"--since {since} is after --until {until}")
    if source == "clickpy":
        first = since or clickpy.DEFAULT_SINCE
        last = until or (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=clickpy.LAG_DAYS))
        return dataclasses.replace(
            SOURCES["clickpy"],
            plan=None,
            warehouse_plan=lambda con, s, r, f, full: clickpy_backfill_plan(s, r, f, con, first, last),
        )
    days = bigquery.days(*bigquery.window(since, until))
    return Source(
        name=bigquery.NAME,
        title="BigQuery bigquery-public-data.pypi.file_downloads",
        collector=bigquery.BigQueryCollector,
        plan=lambda s, r, f: [(bigquery.DAILY, days)],
        needs_network="bigquery.googleapis.com with Google credentials",
    )
