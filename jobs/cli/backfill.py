"""`dltrends backfill`: full download history from ClickPy (or BigQuery), resumable."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from dltrends.errors import ExitCode
from jobs.cli.common import ConfigOpt, DbOpt, RegistryOpt, VerboseOpt, command, err, registry_for, say, setup
from jobs.cli.progress import RichProgress
from jobs.collect.backfill import BACKFILL_SOURCES
from jobs.collect.backfill import backfill as run_backfill


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


@command
def backfill(
    source: Annotated[str, typer.Option(
        "--source", "-s", help=f"Where to backfill from: {', '.join(BACKFILL_SOURCES)}.")] = "clickpy",
    since: Annotated[str | None, typer.Option(
        help="First day (YYYY-MM-DD); clickpy: 2016-01-01, bigquery: 30 days ago.")] = None,
    until: Annotated[str | None, typer.Option(
        help="Last day (YYYY-MM-DD); default two days before today (UTC).")] = None,
    framework: Annotated[list[str] | None, typer.Option(
        "--framework", "-f", help="Only these registry ids (repeatable).")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="bigquery: print each query's bytes-scanned estimate, run nothing.")] = False,
    config: ConfigOpt = None, db: DbOpt = None, registry: RegistryOpt = None,
    verbose: VerboseOpt = False,
) -> int:
    """Load download history (resumable: run it again to continue), then publish.

    After a clickpy backfill, `dltrends collect` keeps it current every day.
    """
    settings = setup(config, verbose, db=db, registry=registry)
    first, last = _date(since, "--since"), _date(until, "--until")
    if source not in BACKFILL_SOURCES:
        raise typer.BadParameter(f"unknown source {source}; backfill knows {', '.join(BACKFILL_SOURCES)}",
                                 param_hint="--source")
    reg = registry_for(settings, framework)
    with RichProgress(err) as progress:
        result = run_backfill(settings, reg, source, since=first, until=last, frameworks=framework,
                              dry_run=dry_run, progress=progress)
    for src in result.sources:
        say(src.summary())
    if result.published:
        say(result.published.summary())
    if not result.ok:
        say("run the same command again to retry what failed; finished items are not asked again")
    return ExitCode.OK if result.ok else ExitCode.PARTIAL
