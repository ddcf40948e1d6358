"""The `dltrends` command line. Thin: each subcommand wires settings and registry to one job."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from dltrends import __version__
from dltrends.errors import ExitCode
from jobs import output
from jobs.cli_base import (
    ConfigOpt,
    DbOpt,
    RegistryOpt,
    VerboseOpt,
    app,
    command,
    err,
    registry_for,
    say,
    setup,
)
from jobs.collect import collect as run_collect
from jobs.progress import RichProgress
from jobs.sources import DEFAULT_SOURCES, SOURCES
from jobs.status import source_status

__all__ = ["app", "main"]


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
    sources = source or DEFAULT_SOURCES
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
        say(f"published {result.published.path} ({result.published.bytes / 1e6:.1f} MB)")
    return ExitCode.OK if result.ok else ExitCode.PARTIAL


@command
def status(config: ConfigOpt = None, db: DbOpt = None,
           fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
           ) -> int:
    """Per source: last run, status, freshness and items failed (read from the published file)."""
    settings = setup(config, db=db)
    report = source_status(settings)
    output.emit(report.frame, fmt)
    for line in report.notes:
        say(line)
    return ExitCode.OK if report.healthy else ExitCode.PARTIAL


@command
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run, read-only, on the published file.")],
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """Run a read-only SQL query on the published file."""
    settings = setup(config, db=db)
    output.emit(output.run_query(settings.db, query), fmt)
    return ExitCode.OK


@command
def dashboard(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """Start the Streamlit dashboard on the published file."""
    settings = setup(config, db=db)
    app_path = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    env = {**os.environ, "DLTRENDS_DB": str(settings.db.resolve())}
    if config:
        env["DLTRENDS_CONFIG"] = str(config.resolve())
    argv = [sys.executable, "-m", "streamlit", "run", str(app_path),
            "--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.enableXsrfProtection", "true",
            "--client.toolbarMode", "viewer"]
    say(f"dltrends dashboard on http://{host}:{port} reading {settings.db}")
    os.execvpe(argv[0], argv, env)
    return ExitCode.OK  # not reached


@command
def version() -> int:
    """Print the dltrends version."""
    typer.echo(__version__)
    return ExitCode.OK


# Feature modules add their commands to `app` when imported (see jobs/cli_base.py), e.g.
# `import jobs.bench_cli` (marked noqa E402 F401: it must come after the commands above).
from jobs import ops_cli, schedule_cli  # noqa: E402, F401  (operations, issue 9)


def main() -> None:
    app()
