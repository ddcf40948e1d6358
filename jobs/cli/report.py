"""`dltrends report`: the weekly report as a self-contained HTML file and Markdown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from dltrends.errors import ExitCode
from jobs.cli.common import ConfigOpt, DbOpt, command, say, setup


@command
def report(
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for the report files (default: reports/ beside the warehouse).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="en or zh.")] = "en",
    until: Annotated[dt.datetime | None, typer.Option(
        "--until", formats=["%Y-%m-%d"], help="Last day of the period, UTC (default: today).")] = None,
    days: Annotated[int, typer.Option("--days", help="Length of the period in days.")] = 7,
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """Write the weekly report: the overview, the period's changes (new releases, regressions,
    movers, stale sources) and the key charts, as one HTML file that needs no network and as
    Markdown. Exit code 1 when a section could not be built."""
    # imported here: charts and their renderer are heavy, and every other command starts faster
    from dashboard.charts import cjk_glyphs_render
    from jobs.report import build_report
    from jobs.report.render import figures, write

    settings = setup(config, db=db)
    if lang == "zh" and not cjk_glyphs_render():
        say("note: no CJK font found, so Chinese chart labels will show as boxes; install "
            "fonts-wqy-microhei or Noto Sans CJK", style="yellow")
    built = build_report(settings.db, lang, until.date() if until else None, days)
    written = write(built, out or settings.db.parent / "reports")
    for line in built.left_out + built.failed:
        say(line)
    say(f"wrote {written.html} ({written.html.stat().st_size / 1e3:.0f} kB, "
        f"{len(figures(built))} charts embedded) and {written.markdown}: "
        f"{len(built.sections)} sections, {len(built.left_out)} left out, "
        f"{len(built.failed)} failed")
    return ExitCode.PARTIAL if built.failed else ExitCode.OK
