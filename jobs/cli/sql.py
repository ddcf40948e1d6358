"""`dltrends sql`: one read-only query on the published file, in the SQL console's sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dltrends.errors import ExitCode, UsageError
from jobs.cli import output
from jobs.cli.common import ConfigOpt, DbOpt, command, say, setup


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
    max_bytes: Annotated[int | None, typer.Option(
        "--max-bytes", help="Most bytes returned, as Arrow holds them (DLTRENDS_SQL_MAX_BYTES).")] = None,
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """Run one read-only SQL query on the published file, in the SQL console's sandbox.

    No file access, no settings changes, time and memory limits (see docs/sql.md#the-sql-console).
    Exit code 1 when the result was cut at --max-rows or --max-bytes, 2 when the query is refused
    or fails (or longer than DLTRENDS_SQL_MAX_QUERY_BYTES).
    """
    settings = setup(config, db=db, sql_timeout=timeout, sql_max_rows=max_rows,
                     sql_max_bytes=max_bytes)
    if examples:
        typer.echo(output.examples_text(), nl=False)
        return ExitCode.OK
    if schema:
        output.emit_result(output.schema(settings.db), fmt, out)
        return ExitCode.OK
    if query is None:
        raise UsageError("give a query (or '-' to read it from stdin), --examples or --schema")
    text = output.read_query(settings, query)
    result = output.run_query(settings, text)
    output.emit_result(result.table, fmt, out)
    if result.cut == "bytes":
        say(f"result cut at {result.rows} rows to stay under {settings.sql_max_bytes:,} bytes "
            "(--max-bytes / DLTRENDS_SQL_MAX_BYTES); select fewer columns or raise the limit",
            style="yellow")
        return ExitCode.PARTIAL
    if result.truncated:
        say(f"result cut at {result.rows} rows (--max-rows / DLTRENDS_SQL_MAX_ROWS); "
            "narrow the query or raise the limit", style="yellow")
        return ExitCode.PARTIAL
    return ExitCode.OK
