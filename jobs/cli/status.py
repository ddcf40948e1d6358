"""`dltrends status`: freshness and health per source."""

from __future__ import annotations

from typing import Annotated

import typer

from dltrends.errors import ExitCode
from jobs.cli import output
from jobs.cli.common import ConfigOpt, DbOpt, command, say, setup
from jobs.status import source_status


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
