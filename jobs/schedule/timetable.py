"""What runs when: each source's cron schedule and freshness, the tasks of `dltrends schedule`, cron lines.

The schedule is a mapping from task name to a cron expression: one task per source in
`jobs.collect.sources.SOURCES` (it runs `dltrends collect --source NAME`) plus the weekly report
(`dltrends report`), and the weekly benchmark (`dltrends bench run`) once the
`bench_specs` setting names what to benchmark. `DEFAULTS` gives every known name a sensible time;
defaults for names that are not in SOURCES (yet) are ignored until a source of that name is added.
The `schedule` setting overrides single names (`"off"` disables one).

Expressions are checked when the settings are read (`dltrends.cron`: 5 fields, UTC, weekdays by
name, so that `dltrends schedule` and the lines `dltrends crontab` prints mean the same times).
"""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from dltrends.cron import to_cron
from dltrends.errors import ConfigError
from dltrends.settings import Settings
from jobs.collect.sources import SOURCES, Source

OFF = "off"
FALLBACK_FRESHNESS = dt.timedelta(days=2)
REPORT = "report"
BENCH = "bench"


@dataclass(frozen=True)
class Default:
    cron: str  # UTC
    fresh_within: dt.timedelta  # used when the Source does not declare its own


_H, _D = dt.timedelta(hours=1), dt.timedelta(days=1)
DEFAULTS: dict[str, Default] = {
    "pypi": Default("7 * * * *", 6 * _H),  # releases land any time: hourly
    "github": Default("20 3 * * *", 2 * _D),  # daily repo snapshot
    "github-history": Default("40 4 * * sun", 9 * _D),  # monthly history, incremental
    "pypistats": Default("30 2 * * *", 2 * _D),  # pypistats updates from 01:00 UTC (~10 min)
    "clickpy": Default("0 5 * * *", 3 * _D),  # daily top-up after the backfill
    "conda": Default("50 5 * * *", 40 * _D),  # monthly data drops; a daily check is cheap
    "hf": Default("10 2 * * *", 2 * _D),
    "stackoverflow": Default("25 2 * * *", 2 * _D),
    "npm": Default("35 2 * * *", 3 * _D),
    "osv": Default("45 2 * * *", 2 * _D),
    "bench": Default("0 4 * * sat", 9 * _D),  # weekly: long and CPU-bound
    "mlperf": Default("0 5 1 * *", 35 * _D),  # monthly: results come in rounds
}
REPORT_CRON = "0 7 * * mon"  # Monday 07:00 UTC: the week that ended


@dataclass(frozen=True)
class Task:
    """One scheduled job: a dltrends command run as its own process."""

    name: str
    cron: str
    argv: tuple[str, ...]  # dltrends subcommand and options, without the shared --db/--config
    source: str | None = None  # the source it collects; None for the report
    catch_up_first: bool = True  # run at once when it never ran (a source never collected)


def schedule_for(settings: Settings, strict: bool = True) -> dict[str, str | None]:
    """Every schedulable name -> its cron expression, or None when off or without a default.

    `strict` refuses a name in the `schedule` setting that no source or task has (a typo);
    otherwise such names are ignored (a source removed since the settings were written, or the
    report when only the sources are asked for).
    """
    known = {name: (DEFAULTS[name].cron if name in DEFAULTS else None) for name in SOURCES}
    if settings.bench_specs:
        known[BENCH] = DEFAULTS[BENCH].cron
    if strict:
        known[REPORT] = REPORT_CRON
    for name, expr in settings.schedule.items():
        if name not in known:
            if strict:
                raise ConfigError(f"schedule.{name}: no source or task of that name "
                                  f"(known: {', '.join(sorted(known))})")
            continue
        known[name] = None if expr == OFF else expr
    return known


def tasks(settings: Settings) -> list[Task]:
    """The enabled tasks, sources first in SOURCES order."""
    out = []
    for name, cron in schedule_for(settings).items():
        if cron is None:
            continue
        if name == REPORT:
            argv = ("report", "--out", str(report_dir(settings)))
            out.append(Task(name, cron, argv, catch_up_first=False))
        elif name == BENCH:
            argv = ("bench", "run", *(a for spec in settings.bench_specs for a in ("--spec", spec)))
            out.append(Task(name, cron, argv, catch_up_first=False))
        else:
            out.append(Task(name, cron, ("collect", "--source", name), source=name))
    return out


def report_dir(settings: Settings) -> Path:
    """Where the scheduled report writes its files: beside the warehouse."""
    return settings.db.resolve().parent / "reports"


def freshness(source: Source) -> dt.timedelta:
    """How old the source's data may get before it counts as stale."""
    if source.fresh_within is not None:
        return source.fresh_within
    return DEFAULTS[source.name].fresh_within if source.name in DEFAULTS else FALLBACK_FRESHNESS


def expectations(settings: Settings) -> list[dict]:
    """Rows for core.source_expectations: what `source_health` judges each source by."""
    crons = schedule_for(settings, strict=False)
    rows = [{"source": s.name, "title": s.title,
             "fresh_within_s": int(freshness(s).total_seconds()),
             "schedule": crons.get(s.name), "failing_runs": settings.failing_runs}
            for s in SOURCES.values()]
    if crons.get(BENCH):  # a scheduled benchmark is expected weekly; a run by hand is not judged
        rows.append({"source": BENCH, "title": "Benchmark runner (dltrends bench run)",
                     "fresh_within_s": int(DEFAULTS[BENCH].fresh_within.total_seconds()),
                     "schedule": crons[BENCH], "failing_runs": settings.failing_runs})
    return rows


def command_line(settings: Settings, task: Task, config: Path | None) -> list[str]:
    """The full command that runs a task: this Python, dltrends, the task, absolute paths."""
    argv = [sys.executable, "-m", "dltrends", *task.argv, "--db", str(settings.db.resolve())]
    if config is not None:
        argv += ["--config", str(config.resolve())]
    if task.source is not None:
        argv += ["--registry", str(settings.registry.resolve())]
    return argv


def crontab_lines(settings: Settings, config: Path | None) -> list[str]:
    """System-cron lines equivalent to `dltrends schedule`, with weekdays as cron numbers."""
    log = settings.db.resolve().with_name(settings.db.name + ".cron.log")
    lines = [
        "# dltrends: the schedule of `dltrends schedule` as system cron lines (`dltrends crontab`).",
        "# Times are UTC: CRON_TZ needs cronie or a cron that honours it; otherwise run cron with",
        "# TZ=UTC or shift the hours. Overlapping runs are safe: the writer lock serialises them.",
        f"# Output is appended to {log}; rotate it with logrotate.",
        "CRON_TZ=UTC",
    ]
    for task in tasks(settings):
        command = shlex.join(command_line(settings, task, config))
        lines.append(f"{to_cron(task.cron)} {command} >> {shlex.quote(str(log))} 2>&1")
    return lines
