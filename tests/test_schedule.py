"""The schedule: cron checks, defaults per source, missed runs after downtime, crontab lines, runner."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
import time

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from dltrends.cron import check, to_cron, trigger
from dltrends.errors import ConfigError
from jobs.collect.sources import SOURCES
from jobs.schedule import daemon, timetable
from jobs.schedule.timetable import DEFAULTS, Task, crontab_lines, expectations, schedule_for, tasks
from tests.support.settings import make_settings

UTC = dt.UTC
ONLY_PYPI = {name: "off" for name in [*SOURCES, "report"] if name != "pypi"}  # one job to watch


@pytest.mark.parametrize(("expr", "cron"), [
    ("7 * * * *", "7 * * * *"),
    ("0 4 * * sat", "0 4 * * 6"),
    ("0 4 * * SUN", "0 4 * * 0"),
    ("0 4 * * sat-sun", "0 4 * * 0,6"),
    ("0 4 * * mon-fri", "0 4 * * 1,2,3,4,5"),
    ("30 2 1 jan-mar *", "30 2 1 1-3 *"),
])
def test_cron_expressions_mean_the_same_to_apscheduler_and_cron(expr, cron):
    assert to_cron(check(expr)) == cron
    fires = trigger(check(expr)).get_next_fire_time(None, dt.datetime(2026, 11, 28, tzinfo=UTC))
    cron_weekday = (fires.weekday() + 1) % 7  # Python: Monday 0; cron: Sunday 0
    field = cron.split()[4]
    assert field == "*" or str(cron_weekday) in field.split(",")


@pytest.mark.parametrize(("expr", "why"), [
    ("0 4 * * 0", "name the weekdays"),
    ("0 4 * * 1-5", "name the weekdays"),
    ("0 4 1 * mon", "restricts both"),
    ("0 4 * *", "has 4 fields"),
    ("0 4 last * *", "not cron syntax"),
    ("61 * * * *", "higher than the maximum"),
])
def test_ambiguous_or_invalid_expressions_are_refused(expr, why):
    with pytest.raises(ValueError, match=why):
        check(expr)


def test_settings_refuse_a_bad_schedule_naming_the_entry(tmp_path):
    (tmp_path / "dltrends.toml").write_text('[schedule]\npypi = "0 6 * * 1"\n')
    with pytest.raises(ConfigError, match=r"dltrends.toml: schedule: .*schedule.pypi: .*weekdays"):
        make_settings(tmp_path)


def test_defaults_follow_the_sources_that_exist(tmp_path, monkeypatch):
    settings = make_settings(tmp_path)
    crons = schedule_for(settings)
    assert {k: v for k, v in crons.items() if k != "report"} == {
        name: DEFAULTS[name].cron for name in SOURCES}  # every source has a default time
    assert crons["report"] == "0 7 * * mon"  # `dltrends report` exists: scheduled weekly
    assert tasks(settings)[0].argv == ("collect", "--source", next(iter(SOURCES)))
    assert tasks(settings)[-1].argv[:2] == ("report", "--out")
    # copies of the source table: the shared one keeps its order for later tests
    without = {k: v for k, v in SOURCES.items() if k != "mlperf"}
    monkeypatch.setattr(timetable, "SOURCES", without)
    assert "mlperf" not in schedule_for(settings)  # a default goes with its source
    monkeypatch.setattr(timetable, "SOURCES", without | {"mlperf": SOURCES["pypi"].__class__(
        "mlperf", "MLPerf", SOURCES["pypi"].collector, SOURCES["pypi"].plan)})
    assert schedule_for(settings)["mlperf"] == "0 5 1 * *"  # and comes back with it
    rows = {r["source"]: r for r in expectations(settings)}
    assert rows["mlperf"]["fresh_within_s"] == 35 * 86400
    assert rows["pypi"]["fresh_within_s"] == 6 * 3600  # declared by the Source itself


def test_settings_override_disable_and_refuse_unknown_names(tmp_path):
    settings = make_settings(tmp_path, schedule={"pypi": "15 */2 * * *"})
    assert tasks(settings)[0].cron == "15 */2 * * *"
    assert "pypi" not in [t.name for t in tasks(make_settings(tmp_path, schedule={"pypi": "off"}))]
    with pytest.raises(ConfigError, match="schedule.pypy: no source or task of that name"):
        schedule_for(make_settings(tmp_path, schedule={"pypy": "0 * * * *"}))
    assert expectations(make_settings(tmp_path, schedule={"pypy": "0 * * * *"}))  # collect goes on


def test_crontab_lines_are_absolute_and_utc(tmp_path):
    settings = make_settings(tmp_path, schedule={**ONLY_PYPI, "pypi": "5 3 * * sat-sun"})
    lines = crontab_lines(settings, None)
    assert "CRON_TZ=UTC" in lines
    job = [line for line in lines if not line.startswith(("#", "CRON_TZ"))]
    assert len(job) == 1
    assert job[0].startswith(f"5 3 * * 0,6 {sys.executable} -m dltrends collect --source pypi "
                             f"--db {settings.db.resolve()} --registry ")
    assert job[0].endswith(f">> {settings.db.resolve()}.cron.log 2>&1")


def test_missed_runs_after_downtime_run_once():
    hourly = trigger("7 * * * *")
    now = dt.datetime(2026, 11, 28, 10, 20, tzinfo=UTC)
    assert daemon.missed(hourly, now - dt.timedelta(days=2), now)  # many missed: due now
    assert not daemon.missed(hourly, dt.datetime(2026, 11, 28, 10, 8, tzinfo=UTC), now)
    assert daemon.missed(hourly, None, now)  # a source never collected runs at start
    assert not daemon.missed(hourly, None, now, if_never=False)  # the report waits its turn


class Recorder(daemon.Runner):
    """A runner that records calls instead of starting processes."""

    def __init__(self, settings, seconds: float = 0.0):
        super().__init__(settings, None)
        self.calls: list[tuple[str, float]] = []
        self.seconds = seconds

    def run(self, task, argv=None):
        self.calls.append((task.name, time.monotonic()))
        time.sleep(self.seconds)


def test_jobs_are_single_instance_coalesced_with_an_explicit_grace(tmp_path):
    settings = make_settings(tmp_path, schedule_misfire_grace=600)
    runner = Recorder(settings)
    sched = daemon.build(settings, runner, tasks(settings))
    sched.start(paused=True)
    try:
        job = sched.get_job("pypi")
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 600)
        assert str(job.trigger.timezone) == "UTC"
        assert job.next_run_time is not None
    finally:
        sched.shutdown(wait=False)


def test_downtime_catch_up_runs_a_job_once_then_on_schedule(tmp_path):
    settings = make_settings(tmp_path, schedule=ONLY_PYPI)
    state = daemon.state_path(settings)
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"pypi": "2026-11-20T00:00:00+00:00"}))  # a week of missed hours
    runner = Recorder(settings)
    sched = daemon.build(settings, runner, tasks(settings))
    sched.start()
    try:
        time.sleep(1.5)
    finally:
        sched.shutdown(wait=True)
    assert [name for name, _ in runner.calls] == ["pypi"]


def test_a_slow_job_is_not_started_twice_and_late_runs_coalesce(tmp_path):
    """Fires every 0.2 s while each run takes 1 s: runs never overlap, none is lost to the grace."""
    settings = make_settings(tmp_path)
    runner = Recorder(settings, seconds=1.0)
    task = Task("pypi", "* * * * *", ("collect",), source="pypi", catch_up_first=False)
    sched = daemon.build(settings, runner, [task], {"pypi": IntervalTrigger(seconds=0.2)})
    sched.start()
    try:
        time.sleep(3.3)
    finally:
        sched.shutdown(wait=True)
    starts = [t for _, t in runner.calls]
    assert 2 <= len(starts) <= 4
    assert all(b - a >= 0.95 for a, b in zip(starts, starts[1:], strict=False))  # one at a time


def test_runner_logs_one_line_per_job_and_retries_when_busy(tmp_path, caplog):
    settings = make_settings(tmp_path)
    runner = daemon.Runner(settings, None)
    busy = []
    runner.on_busy = busy.append
    task = Task("pypi", "7 * * * *", ("collect",), source="pypi")
    script = ("import sys; print('2026-01-01 00:00:00,000 INFO x: noise', file=sys.stderr); "
              "print('pypi: partial, 1 new, 0 unchanged, 1 failed', file=sys.stderr); sys.exit({})")
    with caplog.at_level(logging.INFO, logger="jobs.schedule.daemon"):
        outcome = runner.run(task, [sys.executable, "-c", script.format(1)])
        runner.run(task, [sys.executable, "-c", "import sys; print('busy: held by pid 1', "
                                                "file=sys.stderr); sys.exit(75)"])
    assert outcome.summary == "pypi: partial, 1 new, 0 unchanged, 1 failed"
    lines = [r.getMessage() for r in caplog.records if r.name == "jobs.schedule.daemon"]
    assert lines[0].startswith("job pypi: partial (exit 1, ")
    assert lines[0].endswith("s): pypi: partial, 1 new, 0 unchanged, 1 failed")
    assert lines[1].startswith("job pypi: busy (exit 75") and busy == [task]
    assert daemon.JobOutcome("pypi", 74, 1.0, "disk full").status == "not published"
    assert json.loads(daemon.state_path(settings).read_text())["pypi"]


def test_stop_ends_the_running_job_and_starts_no_other(tmp_path):
    settings = make_settings(tmp_path)
    runner = daemon.Runner(settings, None)
    task = Task("pypi", "7 * * * *", ("collect",), source="pypi")
    outcomes = []
    worker = threading.Thread(target=lambda: outcomes.append(
        runner.run(task, [sys.executable, "-c", "import time; time.sleep(60)"])))
    worker.start()
    time.sleep(0.5)
    start = time.monotonic()
    runner.stop(grace=2.0)
    worker.join(10)
    assert time.monotonic() - start < 3
    assert outcomes[0].status == "stopped"
    assert runner.run(task, [sys.executable, "-c", "pass"]) is None  # stopping: nothing new


JOB_WITH_GRANDCHILD = """
import subprocess, sys, time
grandchild = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])
open(sys.argv[1], "w").write(str(grandchild.pid))
time.sleep(60)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_stop_ends_the_jobs_grandchildren_too(tmp_path):
    """A job's own children (a benchmark worker, git) stop with it, even one that ignores SIGTERM."""
    settings = make_settings(tmp_path)
    runner = daemon.Runner(settings, None)
    task = Task("pypi", "7 * * * *", ("collect",), source="pypi")
    pid_file = tmp_path / "grandchild.pid"
    worker = threading.Thread(target=runner.run, args=(
        task, [sys.executable, "-c", JOB_WITH_GRANDCHILD, str(pid_file)]))
    worker.start()
    deadline = time.monotonic() + 10
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())
    try:
        start = time.monotonic()
        runner.stop(grace=2.0)
        worker.join(10)
        assert not worker.is_alive()
        while _running(grandchild) and time.monotonic() - start < 5:
            time.sleep(0.05)
        assert not _running(grandchild)
        assert time.monotonic() - start < 4
    finally:
        if _running(grandchild):
            os.kill(grandchild, signal.SIGKILL)


def test_log_file_rotates_by_size(tmp_path):
    settings = make_settings(tmp_path, log_max_bytes=10_000, log_backups=2)
    handler = daemon.file_logging(settings)
    try:
        for i in range(400):
            logging.getLogger("jobs.schedule.daemon").info("job pypi: ok (exit 0, 1.0 s): line %d", i)
    finally:
        logging.getLogger("jobs.schedule.daemon").removeHandler(handler)
        handler.close()
    logs = sorted(p.name for p in settings.log_path.parent.glob(settings.log_path.name + "*"))
    assert logs == [settings.log_path.name, settings.log_path.name + ".1",
                    settings.log_path.name + ".2"]
    assert all(p.stat().st_size <= 10_000 for p in settings.log_path.parent.glob("*.log*"))
    last = settings.log_path.read_text().splitlines()[-1]
    assert last.endswith("line 399") and "Z INFO job pypi" in last


def test_the_weekly_report_is_a_task(tmp_path):
    settings = make_settings(tmp_path)
    assert "report" not in schedule_for(settings, strict=False)  # expectations judge sources only
    report = [t for t in tasks(settings) if t.name == "report"]
    assert report == [Task("report", "0 7 * * mon", ("report", "--out", str(timetable.report_dir(settings))),
                           catch_up_first=False)]


def test_weekly_benchmark_is_scheduled_once_specs_are_named(tmp_path):
    assert "bench" not in schedule_for(make_settings(tmp_path))  # nothing to benchmark: no job
    settings = make_settings(tmp_path, bench_specs="torch==2.13.0, jax==0.10.2")
    bench = [t for t in tasks(settings) if t.name == "bench"]
    assert bench == [Task("bench", "0 4 * * sat", ("bench", "run", "--spec", "torch==2.13.0",
                                                   "--spec", "jax==0.10.2"), catch_up_first=False)]
    line = [x for x in crontab_lines(settings, None) if " bench run " in x]
    assert line and line[0].startswith("0 4 * * 6 ")
    judged = {r["source"]: r for r in expectations(settings)}["bench"]  # source_health judges it
    assert (judged["schedule"], judged["fresh_within_s"]) == ("0 4 * * sat", 9 * 86400)
    assert "bench" not in {r["source"] for r in expectations(make_settings(tmp_path))}
