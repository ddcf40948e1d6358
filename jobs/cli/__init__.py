"""The `dltrends` command line. Thin: each subcommand wires settings and registry to one job.

Each module of this package adds its commands to the shared Typer `app` (jobs/cli/common.py) when
imported; the import order below is the order `dltrends --help` lists them.
"""

from __future__ import annotations

import typer

from dltrends import __version__
from dltrends.errors import ExitCode
from jobs.cli.common import app, command

# isort: off
from jobs.cli import collect, status, sql, dashboard  # noqa: F401


@command
def version() -> int:
    """Print the dltrends version."""
    typer.echo(__version__)
    return ExitCode.OK


from jobs.cli import backfill, bench, export, operations, report, schedule  # noqa: E402, F401
# isort: on

__all__ = ["app", "main"]


def main() -> None:
    app()
