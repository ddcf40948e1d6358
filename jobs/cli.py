"""The `dltrends` command line. Thin: each subcommand wires settings and registry to one job."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from dltrends import __version__
from dltrends.errors import ExitCode, UsageError
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
from jobs.sources import SOURCES, default_sources
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
    query: Annotated[str | None, typer.Argument(
        help="SQL to run, read-only, on the published file; '-' reads it from stdin.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the result to this file instead of stdout.")] = None,
    examples: Annotated[bool, typer.Option(
        "--examples", help="Print an example query for every public view, by topic.")] = False,
    schema: Annotated[bool, typer.Option(
        "--schema", help="List the public views' columns, types and meanings.")] = False,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", help="Seconds before the query is stopped (DLTRENDS_SQL_TIMEOUT).")] = None,
    max_rows: Annotated[int | None, typer.Option(
        "--max-rows", help="Most rows returned (DLTRENDS_SQL_MAX_ROWS).")] = None,
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """Run one read-only SQL query on the published file, in the SQL console's sandbox.

    No file access, no settings changes, time and memory limits (see docs/sql.md#the-sql-console).
    Exit code 1 when the result was cut at --max-rows, 2 when the query is refused or fails.
    """
    settings = setup(config, db=db, sql_timeout=timeout, sql_max_rows=max_rows)
    if examples:
        typer.echo(output.examples_text(), nl=False)
        return ExitCode.OK
    if schema:
        output.emit_result(output.schema(settings.db), fmt, out)
        return ExitCode.OK
    if query is None:
        raise UsageError("give a query (or '-' to read it from stdin), --examples or --schema")
    text = sys.stdin.read() if query == "-" else query
    result = output.run_query(settings, text)
    output.emit_result(result.table, fmt, out)
    if result.truncated:
        say(f"result cut at {result.rows} rows (--max-rows / DLTRENDS_SQL_MAX_ROWS); "
            "narrow the query or raise the limit", style="yellow")
        return ExitCode.PARTIAL
    return ExitCode.OK


@command
def dashboard(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    base_url_path: Annotated[str, typer.Option(
        "--base-url-path", help="Serve under this path (behind a proxy at /dltrends/).")] = "",
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """Start the Streamlit dashboard on the published file, with production settings."""
    settings = setup(config, db=db)
    app_path = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    env = {**os.environ, "DLTRENDS_DB": str(settings.db.resolve())}
    if config:
        env["DLTRENDS_CONFIG"] = str(config.resolve())
    argv = [sys.executable, "-m", "streamlit", "run", str(app_path), *streamlit_options(
        host, port, base_url_path)]
    path = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    say(f"dltrends dashboard on http://{host}:{port}{path} reading {settings.db}")
    os.execvpe(argv[0], argv, env)
    return ExitCode.OK  # not reached


def streamlit_options(host: str, port: int, base_url_path: str = "") -> list[str]:
    """Streamlit's production settings: no usage statistics, XSRF protection on, no file
    watcher (nothing reloads in production), viewers see error types but no tracebacks."""
    return ["--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--server.baseUrlPath", base_url_path.strip("/"),
            "--browser.gatherUsageStats", "false", "--server.enableXsrfProtection", "true",
            "--server.enableCORS", "true", "--server.fileWatcherType", "none",
            "--server.runOnSave", "false", "--client.showErrorDetails", "type",
            "--client.toolbarMode", "viewer", "--global.developmentMode", "false"]


@command
def version() -> int:
    """Print the dltrends version."""
    typer.echo(__version__)
    return ExitCode.OK


# Feature modules add their commands to `app` when imported (see jobs/cli_base.py), e.g.
# `import jobs.bench_cli` (marked noqa E402 F401: it must come after the commands above).
import jobs.backfill_cli  # noqa: E402
import jobs.bench_cli  # noqa: E402, F401
from jobs import export_cli, ops_cli, report_cli, schedule_cli  # noqa: E402, F401  (operations, issue 9)


def main() -> None:
    app()
