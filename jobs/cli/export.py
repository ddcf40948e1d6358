"""`dltrends export`: the public views as files for other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from dltrends.errors import ExitCode
from jobs.cli.common import ConfigOpt, DbOpt, command, err, say, setup
from jobs.export import FORMATS
from jobs.export import export as run_export


@command
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write (created if missing).")],
    fmt: Annotated[str, typer.Option("--format", help=f"{' or '.join(FORMATS)}.")] = "parquet",
    view: Annotated[list[str] | None, typer.Option(
        "--view", help="Only this public view (repeatable); default: all.")] = None,
    partition: Annotated[bool, typer.Option(
        "--partition/--no-partition", help="Split large views into month folders.")] = True,
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """Write the public views as Parquet or CSV files (large ones by month) for DuckDB, pandas,
    Spark or Trino, with a manifest.json describing every column."""
    settings = setup(config, db=db)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, disable=not err.is_terminal, transient=True) as bar:
        task = bar.add_task("export", total=None)
        result = run_export(settings.db, directory, fmt, view, partition,
                            on_view=lambda v: bar.update(task, description=f"export {v}"))
    for item in result.views:
        if item.error:
            say(f"{item.view}: failed: {item.error}", style="red")
    say(result.summary())
    return ExitCode.OK if result.ok else ExitCode.PARTIAL
