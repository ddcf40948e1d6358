"""Workers die with their parents: kill (SIGKILL) the process that started a benchmark worker or
a scheduled job, and the worker ends within seconds instead of running on under PID 1; the
fallback watchdog does the same where prctl is missing; a CPU-time cap stops a spinning worker."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from collectors.bench.runner import WORKER
from dltrends import lifeline
from tests.support.procs import ended_within, parent_running, wait_for_child

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

SLEEPS_IN_SETUP = '''
import time
FRAMEWORK = "sleeps"
PACKAGES = ()
IMPORT = "time"
MODES = ("eager",)

def setup(threads, device):
    time.sleep(600)
'''


def _killing_parent_ends(code: str, seconds: float = 5.0) -> bool:
    """Run `code` as a parent, wait for its child, SIGKILL the parent: did the child end?"""
    parent = parent_running(code)
    child = wait_for_child(parent.pid)
    try:
        time.sleep(0.5)  # the child is running (armed) now
        parent.kill()
        parent.wait()
        return ended_within(child, seconds)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def test_a_benchmark_worker_dies_with_its_runner(tmp_path):
    adapter = tmp_path / "sleeps.py"
    adapter.write_text(SLEEPS_IN_SETUP)
    request = json.dumps({"adapter": str(adapter), "cases": [], "threads": 1, "device": "cpu",
                          "budget_s": 1, "warmup_s": 0, "min_repeats": 1, "max_repeats": 1,
                          "case_timeout_s": 300})
    code = ("import os, subprocess, sys, time; "
            f"p = subprocess.Popen([sys.executable, {str(WORKER)!r}, str(os.getpid())], "
            "stdin=subprocess.PIPE, start_new_session=True, text=True); "
            f"p.stdin.write({request!r}); p.stdin.flush(); time.sleep(600)")
    assert _killing_parent_ends(code)


def test_a_scheduled_job_dies_with_the_scheduler(tmp_path):
    code = ("import sys; from jobs.schedule import daemon, timetable; "
            "from tests.support.settings import make_settings; from pathlib import Path; "
            f"runner = daemon.Runner(make_settings(Path({str(tmp_path)!r})), None); "
            "runner.run(timetable.Task('pypi', '7 * * * *', ('collect',), source='pypi'), "
            "[sys.executable, '-c', 'from dltrends import lifeline; lifeline.arm_from_env(); "
            "import time; time.sleep(600)'])")
    assert _killing_parent_ends(code)


def test_dltrends_arms_the_lifeline_it_is_given():
    """`python -m dltrends` (what the scheduler runs) arms a lifeline from its environment: given
    a parent that is not its own, it ends at once, killed, before doing anything."""
    env = os.environ | {lifeline.ENV: "1 0"}  # pid 1 is not this test's child's parent
    run = subprocess.run([sys.executable, "-m", "dltrends", "--help"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == -signal.SIGKILL and run.stdout == ""
    ok = subprocess.run([sys.executable, "-m", "dltrends", "--help"], capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.strip()


def test_the_watchdog_kills_where_prctl_is_missing():
    code = ("import os, subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
            "'import os, sys, time; from dltrends import lifeline; "
            "assert lifeline.arm(int(sys.argv[1]), use_prctl=False) == \"watchdog\"; "
            "time.sleep(600)', str(os.getpid())]); time.sleep(600)")
    assert _killing_parent_ends(code, seconds=lifeline.POLL_S + 4)


def test_a_cpu_cap_stops_a_spinning_worker():
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-c", "from dltrends import lifeline; "
                          "assert lifeline.cap_cpu(1)\nwhile True: pass"], timeout=60)
    assert run.returncode in (-signal.SIGXCPU, -signal.SIGKILL)
    assert time.monotonic() - start < 15
