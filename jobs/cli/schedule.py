"""`dltrends schedule` (the long-running scheduler) and `dltrends crontab` (the same as cron lines)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pandas as pd
import typer

from dltrends.cron import trigger
from dltrends.errors import ExitCode
from dltrends.settings import Settings, config_path
from jobs.alerts import notify
from jobs.cli import output
from jobs.cli.common import ConfigOpt, DbOpt, RegistryOpt, VerboseOpt, command, setup
from jobs.schedule import daemon
from jobs.schedule.timetable import crontab_lines, report_dir, tasks
from jobs.terminate import exit_now


@command
def schedule(
    show: Annotated[bool, typer.Option(
        "--list", help="Print the tasks, their schedules and next runs, then exit.")] = False,
    config: ConfigOpt = None, db: DbOpt = None, registry: RegistryOpt = None,
    verbose: VerboseOpt = False,
) -> int:
    """Run each source's collect (and the weekly report) on its cron schedule until stopped.

    One scheduler per warehouse (a second one exits 75). SIGTERM stops it within 10 s: the running
    job is rolled back and nothing is published half-way. Jobs log one line each to <db>.log.
    """
    settings = setup(config, verbose, db=db, registry=registry)
    if show:
        output.emit(task_table(settings), "table")
        return ExitCode.OK
    code = daemon.run(settings, config_path(config), after={"report": _deliver_report})
    exit_now(int(code))  # do not wait for a report delivery still talking to a mail server
    return code  # not reached


@command
def crontab(config: ConfigOpt = None, db: DbOpt = None, registry: RegistryOpt = None) -> int:
    """Print the schedule as system-cron lines (for `crontab -e`), instead of running the scheduler."""
    settings = setup(config, db=db, registry=registry)
    for line in crontab_lines(settings, config_path(config)):
        typer.echo(line)
    return ExitCode.OK


def task_table(settings: Settings, now: dt.datetime | None = None) -> pd.DataFrame:
    now = now or dt.datetime.now(dt.UTC)
    last = daemon.last_runs(settings)
    rows = [{"task": t.name, "schedule (UTC)": t.cron, "command": " ".join(t.argv),
             "next run": trigger(t.cron).get_next_fire_time(None, now),
             "last run": last.get(t.name)} for t in tasks(settings)]
    return pd.DataFrame(rows, columns=["task", "schedule (UTC)", "command", "next run", "last run"])


def _deliver_report(settings: Settings, started: float) -> None:
    notify.deliver_report(settings, report_dir(settings), started)
