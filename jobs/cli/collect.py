"""`dltrends collect`: run sources into the warehouse, then publish."""

from __future__ import annotations

from typing import Annotated

import typer

from dltrends.errors import ExitCode
from jobs.cli.common import ConfigOpt, DbOpt, RegistryOpt, VerboseOpt, command, err, registry_for, say, setup
from jobs.cli.progress import RichProgress
from jobs.collect.run import collect as run_collect
from jobs.collect.sources import SOURCES, default_sources


@command
def collect(
    source: Annotated[list[str] | None, typer.Option(
        "--source", "-s", help=f"Source to collect (repeatable): {', '.join(SOURCES)}.")] = None,
    framework: Annotated[list[str] | None, typer.Option(
        "--framework", "-f", help="Only these registry ids (repeatable).")] = None,
    full: Annotated[bool, typer.Option(
        "--full", help="Ignore saved ETags and serials: fetch and re-parse everything.")] = False,
    nightlies: Annotated[bool | None, typer.Option(
        "--nightlies/--no-nightlies", help="Track nightly packages (DLTRENDS_NIGHTLIES).")] = None,
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", help="Requests in flight (DLTRENDS_CONCURRENCY).")] = None,
    config: ConfigOpt = None, db: DbOpt = None, registry: RegistryOpt = None,
    verbose: VerboseOpt = False,
) -> int:
    """Collect from the sources into the warehouse, then publish it."""
    settings = setup(config, verbose, db=db, registry=registry, nightlies=nightlies,
                      concurrency=concurrency)
    sources = source or default_sources(settings)
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise typer.BadParameter(f"unknown source {', '.join(unknown)}; known: {', '.join(SOURCES)}",
                                 param_hint="--source")
    reg = registry_for(settings, framework)
    with RichProgress(err) as progress:
        result = run_collect(settings, reg, sources, framework, full=full, progress=progress)
    for src in result.sources:
        say(src.summary())
    if result.alerts and (result.alerts.new or result.alerts.sent or not result.alerts.ok):
        say(result.alerts.summary())
    if result.published:
        say(result.published.summary())
    return ExitCode.OK if result.ok else ExitCode.PARTIAL
