"""`dltrends schedule`: the long-running process that runs each task on its cron schedule.

- One scheduler per warehouse: it holds `<db>.schedule.lock` (an flock, so a crashed scheduler's
  lock is free at once); a second one exits 75 naming the holder.
- Each task runs as its own `dltrends` process (the same command cron would run), one at a time,
  so a crash or a leak in one job cannot take the scheduler down, and the writer lock keeps a
  cron-started collect and a scheduled one from writing at the same time. A job that finds the
  warehouse busy (exit 75) is tried again RETRY_BUSY later.
- APScheduler 3 jobs with max_instances=1, coalesce=True and an explicit misfire_grace_time: a
  run that starts late (an earlier job still running) still runs, once.
- After downtime, a task whose last run (from the published run log, or the scheduler's own state
  file for tasks that are not sources) is older than its last scheduled time runs once at start.
- SIGTERM or SIGINT: no new job starts, the running job's process group (the job and what it
  started) gets SIGTERM (the job rolls back and does not publish), and SIGKILL after STOP_GRACE
  seconds or once the job has ended; the scheduler then exits.
- One line per job with its summary goes to `<db>.log`, rotated by size (DLTRENDS_LOG_MAX_BYTES).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import logging.handlers
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from dltrends import lifeline
from dltrends.cron import trigger
from dltrends.errors import ExitCode, WarehouseBusy
from dltrends.redact import RedactingFilter
from dltrends.settings import Settings
from jobs.schedule.timetable import Task, command_line, tasks
from warehouse.db import reader
from warehouse.lock import holder, writer_lock

log = logging.getLogger(__name__)

STOP_GRACE = 8.0  # seconds a stopping job gets before SIGKILL (the scheduler exits within 10 s)
RETRY_BUSY = dt.timedelta(minutes=5)
_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


class SchedulerRunning(WarehouseBusy):
    """Another `dltrends schedule` holds this warehouse (exit 75)."""


@dataclass(frozen=True)
class JobOutcome:
    task: str
    code: int
    seconds: float
    summary: str

    @property
    def status(self) -> str:
        return {0: "ok", 1: "partial", 2: "config error", 74: "not published", 75: "busy"}.get(
            self.code, "stopped" if self.code in (-signal.SIGTERM, -signal.SIGKILL, 143) else "crashed")


class Runner:
    """Runs one task at a time as a child process; `stop()` ends the current one."""

    def __init__(self, settings: Settings, config: Path | None,
                 after: dict[str, Callable[[Settings, float], None]] | None = None):
        self.settings = settings
        self.config = config
        self.after = after or {}
        self.stopping = threading.Event()
        self._child: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self.on_busy: Callable[[Task], None] = lambda task: None

    def run(self, task: Task, argv: list[str] | None = None) -> JobOutcome | None:
        """Run `task` to its end (or its timeout); log one line; None when stopping."""
        argv = argv or command_line(self.settings, task, self.config)
        started_wall, start = time.time(), time.monotonic()
        with self._lock:
            if self.stopping.is_set():
                return None
            # Its own session and process group, which `_terminate` signals as a whole
            self._child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           text=True, errors="replace", start_new_session=True,
                                           env=job_env(self.settings))
        remember_run(self.settings, task.name, started_wall)
        out, err = self._wait(task, self._child)
        with self._lock:
            code, self._child = self._child.returncode, None
        outcome = JobOutcome(task.name, code, time.monotonic() - start, summarize(out, err, code))
        self._report(task, outcome)
        if code == 0 and task.name in self.after:
            self.after[task.name](self.settings, started_wall)
        return outcome

    def _wait(self, task: Task, child: subprocess.Popen) -> tuple[str, str]:
        try:
            return child.communicate(timeout=self.settings.schedule_job_timeout)
        except subprocess.TimeoutExpired:
            log.error("job %s exceeded DLTRENDS_SCHEDULE_JOB_TIMEOUT (%.0f s); stopping it",
                      task.name, self.settings.schedule_job_timeout)
            _terminate(child)
            return child.communicate()

    def _report(self, task: Task, outcome: JobOutcome) -> None:
        line = (f"job {task.name}: {outcome.status} (exit {outcome.code}, {outcome.seconds:.1f} s): "
                f"{outcome.summary}")
        if outcome.code == 0:
            log.info(line)
        elif outcome.code in (ExitCode.PARTIAL, ExitCode.BUSY) or outcome.status == "stopped":
            log.warning(line)
        else:
            log.error(line)
        if outcome.code == ExitCode.BUSY and not self.stopping.is_set():
            self.on_busy(task)

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Start no new job; SIGTERM the running one and SIGKILL it after `grace` seconds."""
        with self._lock:
            self.stopping.set()
            child = self._child
        if child is not None:
            _terminate(child, grace)


def _terminate(child: subprocess.Popen, grace: float = STOP_GRACE) -> None:
    """SIGTERM the job's whole process group (it leads one of its own, so what it started, a
    benchmark worker or git, stops too); SIGKILL what is left of the group after `grace` s."""
    _signal_group(child, signal.SIGTERM)
    try:
        child.wait(grace)
    except subprocess.TimeoutExpired:
        log.error("job pid %d did not stop within %.0f s; killing it", child.pid, grace)
    _signal_group(child, signal.SIGKILL)  # the job, if still there, and what outlived it
    child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
        os.killpg(child.pid, signum)


def job_env(settings: Settings) -> dict[str, str]:
    """The job's environment: this one, plus a lifeline (the job dies with the scheduler) and a
    CPU-time cap of twice the job's wall-clock limit, which only matters once the scheduler that
    enforces that limit is gone (a job is mostly one Python thread waiting on the network)."""
    return lifeline.child_env(dict(os.environ), 2 * settings.schedule_job_timeout)


def summarize(out: str, err: str, code: int) -> str:
    """The job's own summary lines (what the CLI says, not its log records), on one line."""
    lines = [ln.strip() for ln in (out + "\n" + err).splitlines() if ln.strip()]
    said = [ln for ln in lines if not _LOG_RECORD.match(ln)]
    if code not in (0, 1) and not said:
        said = lines[-5:]  # a crash: its last words
    return " | ".join(said) or "(no output)"


def state_path(settings: Settings) -> Path:
    """The scheduler's memory of when each task last started (for tasks outside the run log)."""
    return settings.beside(".schedule.json")


def remember_run(settings: Settings, name: str, when: float) -> None:
    path = state_path(settings)
    state = _read_state(path)
    state[name] = dt.datetime.fromtimestamp(when, dt.UTC).isoformat()
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        os.replace(tmp, path)
    except OSError as exc:  # only the catch-up after downtime depends on it
        log.warning("could not record the run of %s in %s: %s", name, path, exc)


def _read_state(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def last_runs(settings: Settings) -> dict[str, dt.datetime]:
    """Task name -> when it last started: the published run log, else the scheduler's state file."""
    runs = {k: dt.datetime.fromisoformat(v) for k, v in _read_state(state_path(settings)).items()}
    if settings.db.exists():
        try:
            with reader(settings.db) as con:
                rows = con.execute("SELECT source, max(started_at) FROM collector_runs "
                                   "GROUP BY source").fetchall()
        except duckdb.Error as exc:
            log.warning("could not read the run log of %s: %s", settings.db, exc)
            rows = []
        for source, started in rows:
            runs[source] = max(started, runs.get(source, started))
    return runs


def missed(cron_trigger: BaseTrigger, last: dt.datetime | None, now: dt.datetime,
           if_never: bool = True) -> bool:
    """True when a scheduled time passed since `last` (or it never ran and `if_never`)."""
    if last is None:
        return if_never
    due = cron_trigger.get_next_fire_time(None, last)
    return due is not None and due <= now


def build(settings: Settings, runner: Runner, task_list: list[Task],
          triggers: dict[str, BaseTrigger] | None = None,
          now: dt.datetime | None = None) -> BackgroundScheduler:
    """The APScheduler scheduler with one job per task; missed tasks are due at once."""
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},  # one job at a time
        job_defaults={"max_instances": 1, "coalesce": True,
                      "misfire_grace_time": settings.schedule_misfire_grace},
        timezone=dt.UTC,
    )
    now = now or dt.datetime.now(dt.UTC)
    previous = last_runs(settings)
    for task in task_list:
        trig = (triggers or {}).get(task.name) or trigger(task.cron)
        late = missed(trig, previous.get(task.name), now, task.catch_up_first)
        extra = {"next_run_time": now} if late else {}
        scheduler.add_job(runner.run, trig, args=[task], id=task.name, name=task.name, **extra)
        if late:
            log.info("task %s missed its time while the scheduler was down (last run %s): "
                     "running it once now", task.name, previous.get(task.name, "never"))

    def retry(task: Task) -> None:
        when = dt.datetime.now(dt.UTC) + RETRY_BUSY
        scheduler.add_job(runner.run, "date", run_date=when, args=[task], id=f"{task.name}:retry",
                          name=f"{task.name} (retry)", replace_existing=True)
        log.warning("job %s found the warehouse busy; trying again at %s", task.name,
                    when.strftime("%H:%M:%S UTC"))

    runner.on_busy = retry
    return scheduler


def file_logging(settings: Settings) -> logging.Handler:
    """The rotating log file beside the warehouse: job lines and the scheduler's own messages."""
    settings.log_path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        settings.log_path, maxBytes=settings.log_max_bytes, backupCount=settings.log_backups,
        encoding="utf-8")
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RedactingFilter())
    for name in (__name__, "jobs.alerts", "apscheduler"):
        logging.getLogger(name).addHandler(handler)
    logging.getLogger(__name__).setLevel(logging.INFO)  # job lines whatever DLTRENDS_LOG_LEVEL says
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # misfires, errors; not chatter
    return handler


def _acquire(settings: Settings) -> AbstractContextManager:
    """Take this warehouse's scheduler lock; SchedulerRunning names the holder if another has it."""
    lock = writer_lock(settings.scheduler_lock_path, 0, "dltrends schedule")
    try:
        lock.__enter__()
    except WarehouseBusy:
        info = holder(settings.scheduler_lock_path) or {}
        raise SchedulerRunning(
            f"another dltrends schedule runs for {settings.db}: pid {info.get('pid', '?')} on "
            f"{info.get('host', '?')} ({info.get('command', '?')}, since {info.get('since', '?')}); "
            "stop it first") from None
    return lock


def run(settings: Settings, config: Path | None,
        after: dict[str, Callable[[Settings, float], None]] | None = None,
        triggers: dict[str, BaseTrigger] | None = None,
        task_list: list[Task] | None = None) -> int:
    """Run the scheduler until SIGTERM or SIGINT; returns the exit code.

    `triggers` and `task_list` replace the cron triggers and the tasks from the settings (tests
    and perf/ run it every 2 s).
    """
    task_list = tasks(settings) if task_list is None else task_list
    lock = _acquire(settings)
    handler = file_logging(settings)
    runner = Runner(settings, config, after)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda signum, frame: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler = build(settings, runner, task_list, triggers)
        scheduler.start()
        log.info("scheduler started (pid %d) for %s: %s; one line per job in %s; stop it with "
                 "SIGTERM or Ctrl-C", os.getpid(), settings.db,
                 "; ".join(f"{t.name} '{t.cron}'" for t in task_list) or "no tasks", settings.log_path)
        while not stop.wait(1.0):
            pass
        log.info("stopping: no new jobs; the running job (if any) gets SIGTERM")
        scheduler.shutdown(wait=False)
        runner.stop()
        log.info("scheduler stopped")
        return ExitCode.OK
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        for name in (__name__, "jobs.alerts", "apscheduler"):
            logging.getLogger(name).removeHandler(handler)
        handler.close()
        lock.__exit__(None, None, None)
