"""Durability and alerting commands: `rebuild`, `compact`, `backup`, and `alerts ...`.

Every command that writes runs in the writer session (jobs/session.py): it never runs beside a
collect or a scheduled job (exit 75 after DLTRENDS_LOCK_TIMEOUT), opens the working file (which
applies pending migrations) and publishes at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dltrends.errors import ExitCode, UsageError
from dltrends.settings import Settings
from jobs.alerts import evaluate as alerts
from jobs.alerts import notify
from jobs.alerts.rules import RULES, readiness
from jobs.cli import output
from jobs.cli.common import ConfigOpt, DbOpt, VerboseOpt, app, command, err, handled, say, setup
from jobs.session import require_published, writer_session
from warehouse.compact import backup as write_backup
from warehouse.compact import compact as compact_file
from warehouse.db import reader
from warehouse.rebuild import rebuild as rebuild_tables


@command
def rebuild(config: ConfigOpt = None, db: DbOpt = None, verbose: VerboseOpt = False) -> int:
    """Recreate every typed core table from the raw landing, offline, then publish.

    For a parser fix or a damaged table: no API is called. Tables that no transform writes (run
    log, fetch state, registry, alerts) are kept as they are.
    """
    settings = setup(config, verbose, db=db)
    with _maintenance(settings, "dltrends rebuild") as session:
        total = session.con.execute("SELECT count(*) FROM raw.items").fetchall()[0][0]
        work = session.close_working()
        with _bar("replaying raw payloads", total) as advance:
            result = rebuild_tables(work, advance)
        session.compact_ratio = 0  # the rebuild wrote a fresh file
    say(result.summary())
    say(session.published.summary())
    return ExitCode.OK


@command
def compact(config: ConfigOpt = None, db: DbOpt = None, verbose: VerboseOpt = False) -> int:
    """Rewrite the working file without the space of updated rows, then publish it.

    Publishing does this by itself when the file has grown past DLTRENDS_COMPACT_RATIO times its
    live data; run it by hand after a large rebuild or clean-up.
    """
    settings = setup(config, verbose, db=db)
    with _maintenance(settings, "dltrends compact") as session:
        result = compact_file(session.close_working())
        session.compact_ratio = 0
    say(result.summary())
    say(session.published.summary())
    return ExitCode.OK


@command
def backup(
    folder: Annotated[Path, typer.Argument(help="Folder for the backup (created if missing).")],
    keep: Annotated[int | None, typer.Option(
        "--keep", min=1, help="Keep only the newest N backups of this warehouse in FOLDER.")] = None,
    config: ConfigOpt = None, db: DbOpt = None, verbose: VerboseOpt = False,
) -> int:
    """Write a consistent, verified copy of the working warehouse (raw landing included).

    Restore: stop the scheduler, copy the backup over <db>.work, then run `dltrends compact` (or
    any collect) to publish it.
    """
    settings = setup(config, verbose, db=db)
    with _maintenance(settings, "dltrends backup") as session:
        path = write_backup(session.close_working(), folder, keep)
        session.publish = False
    say(f"backup {path} ({path.stat().st_size / 1e6:.1f} MB); manifest {path.name}.json")
    return ExitCode.OK


alerts_app = typer.Typer(help="Alert rules and their deliveries (webhook, e-mail).",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(alerts_app, name="alerts")


def alerts_check(
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print what would be raised and sent; write and send nothing.")] = False,
    config: ConfigOpt = None, db: DbOpt = None, verbose: VerboseOpt = False,
) -> int:
    """Evaluate the alert rules now and deliver what is owed (collect does this after each job)."""
    settings = setup(config, verbose, db=db)
    if dry_run:
        require_published(settings.db)
        with reader(settings.db) as con:
            run, messages = alerts.preview(con, settings)
        for message in messages:
            typer.echo(notify.dry_run_text(settings, message))
        say(run.summary().replace("new alert(s)", "alert(s) would be raised") + " (dry run)")
        return ExitCode.OK
    with _maintenance(settings, "dltrends alerts check") as session:
        run = alerts.check(session.con, settings, echo=typer.echo)
        session.publish = bool(run.new or run.baseline or run.sent or run.errors)
    if session.published:
        say(session.published.summary())
    say(run.summary())
    return ExitCode.OK if run.ok else ExitCode.PARTIAL


def alerts_list(
    all_: Annotated[bool, typer.Option("--all", help="Include baseline alerts.")] = False,
    limit: Annotated[int, typer.Option(help="Newest N alerts.")] = 50,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """The alerts raised so far, newest first, with where each was sent (published file)."""
    settings = setup(config, db=db)
    require_published(settings.db)
    with reader(settings.db) as con:  # dltrends' own query: no console sandbox needed
        frame = con.execute(
            "SELECT raised_at, rule, title, sent_to, pending, last_error FROM alerts "
            f"{'' if all_ else 'WHERE NOT baseline '}ORDER BY raised_at DESC, alert_key LIMIT ?",
            [int(limit)]).df()
    output.emit(frame, fmt)
    return ExitCode.OK


def alerts_rules(
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """Every alert rule: enabled or not, and whether its data exists yet."""
    settings = setup(config, db=db)
    enabled = {r.name for r in alerts.enabled_rules(settings)}
    ready = dict.fromkeys(RULES, "no published warehouse yet")
    if settings.db.exists():
        with reader(settings.db) as con:
            for rule in RULES.values():
                found = readiness(con, rule.needs)
                ready[rule.name] = "ready" if not isinstance(found, str) else f"waiting: {found}"
    rows = [{"rule": rule.name, "enabled": rule.name in enabled, "data": ready[rule.name],
             "baseline first": rule.baseline, "fires on": rule.description}
            for rule in RULES.values()]
    output.emit(pd.DataFrame(rows), fmt)
    return ExitCode.OK


def alerts_test(config: ConfigOpt = None, db: DbOpt = None, verbose: VerboseOpt = False) -> int:
    """Send a test message on every configured channel (webhook, e-mail) to check the settings."""
    settings = setup(config, verbose, db=db)
    targets = notify.channels(settings)
    if not targets:
        raise UsageError("no alert channel configured: set DLTRENDS_ALERT_WEBHOOK_URL, or smtp_host "
                         "and alert_email_to (or alert_dry_run = true to print)")
    failed = 0
    message = notify.Message("dltrends: test alert", f"dltrends: test alert for {settings.db}; "
                             "alerts will arrive like this.")
    for channel in targets:
        try:
            notify.send(settings, channel, message, typer.echo)
            say(f"{channel}: sent")
        except notify.DeliveryError as exc:
            failed += 1
            say(f"{channel}: failed: {exc}", style="red")
    return ExitCode.PARTIAL if failed else ExitCode.OK


for _func in (alerts_check, alerts_list, alerts_rules, alerts_test):
    alerts_app.command(_func.__name__.removeprefix("alerts_"))(handled(_func))


def _maintenance(settings: Settings, purpose: str):
    """A writer session on an existing warehouse that leaves its run log as it is."""
    return writer_session(settings, purpose, prepare=False, existing=True)


@contextmanager
def _bar(label: str, total: int) -> Iterator:
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, disable=not err.is_terminal, transient=True)
    task = bar.add_task(label, total=total)
    with bar:
        yield lambda done: bar.update(task, completed=done)

