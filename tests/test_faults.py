"""Fault injection on a running job: network faults, SIGTERM, one scheduler and one writer.

Each test asserts that nothing was lost or duplicated. The ones that start real processes are
marked slow (they are part of `make test`). tests/test_faults_files.py covers readers during writes,
kill -9, a full disk and leaked secrets.
"""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

import collectors.http
import jobs.collect.run
import warehouse.load
from dltrends.registry import load_registry
from jobs.collect.run import collect
from jobs.terminate import Terminated, terminable
from tests.support.db import query, snapshot
from tests.support.fakeserver import HTML, RESET, TRUNCATED, slow, status
from tests.support.ops import age_run_log, clean_run, cli_env, dltrends, log_lines, sha, wait_for
from tests.support.pypi import pypi_recordings, recorded_releases
from tests.support.settings import TEST_REGISTRY, make_settings

# -- network faults ----------------------------------------------------------------------------

def test_network_faults_fail_exactly_the_faulty_items_and_the_rest_is_published(
        tmp_path, pypi_server, monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(collectors.http, "_sleep", sleeps.append)
    faults = {
        "torch": [RESET] * 3,  # connection reset on every attempt
        "tensorflow": [slow(0.8)] * 3,  # timeout on every attempt
        "jax": [status(500)] * 2,  # a 500 burst shorter than the retries: recovers
        "keras": [status(500)] * 3,  # a 500 burst longer than the retries
        "mxnet": [status(429, **{"Retry-After": "3"})],  # waits 3 s as told, then succeeds
        "onnxruntime": [status(429, **{"Retry-After": "100000"})],  # too long to wait for
        "mlx": [TRUNCATED],  # half the body with a matching length: invalid JSON
        "paddlepaddle": [HTML],  # a maintenance page instead of JSON
    }
    for key, queued in faults.items():
        pypi_server.fail(f"/pypi/{key}/json", *queued)
    settings = make_settings(tmp_path, pypi_server, http_timeout=0.5, http_max_retry_wait=60)
    result = collect(settings, load_registry(settings.registry), ["pypi"])
    run = result.sources[0]
    failed = {"torch", "tensorflow", "keras", "onnxruntime", "mlx", "paddlepaddle"}
    assert (run.status, {item for _, item in run.counts.errors}) == ("partial", failed)
    errors = dict(query(settings.db, "SELECT item_key, error FROM core.run_item_errors"))
    assert set(errors) == failed
    assert errors["torch"].startswith("connection failed") and "after 3 attempts" in errors["torch"]
    assert errors["tensorflow"].startswith("timed out") and "after 3 attempts" in errors["tensorflow"]
    assert errors["keras"].startswith("HTTP 500") and "after 3 attempts" in errors["keras"]
    assert "Retry-After 100000 s exceeds the 60 s limit" in errors["onnxruntime"]
    assert errors["mlx"].startswith("invalid JSON") and "truncated body?" in errors["mlx"]
    assert errors["paddlepaddle"].startswith("expected JSON, got text/html")
    assert sleeps.count(3.0) == 1 and len(sleeps) == 9  # 2 backoffs each for torch, tf, jax, keras
    published = dict(query(settings.db, "SELECT package_key, count(*) FROM core.pypi_releases "
                                        "GROUP BY 1"))
    expected = {k for k in pypi_recordings() if k in {p.key for p in load_registry(TEST_REGISTRY).packages()}}
    assert set(published) == expected - failed
    assert all(n == recorded_releases(k) for k, n in published.items())  # nothing lost or doubled
    again = collect(settings, load_registry(settings.registry), ["pypi"])
    assert again.ok and again.sources[0].counts.items_ok == len(failed)
    assert snapshot(settings.db, ("releases", "release_files")) == snapshot(
        clean_run(tmp_path, "clean"), ("releases", "release_files"))


# -- SIGTERM -----------------------------------------------------------------------------------

def test_sigterm_mid_transaction_rolls_it_back_and_publishes_nothing(tmp_path, pypi_server,
                                                                     monkeypatch):
    settings = make_settings(tmp_path, pypi_server, concurrency=1)
    registry = load_registry(settings.registry)
    collect(settings, registry, ["pypi"], ["tinygrad"])
    before = sha(settings.db)
    monkeypatch.setattr(jobs.collect.run, "BATCH_ITEMS", 2)
    original, calls = warehouse.load.apply_transform, []

    def transform_then_signal(con, source, stream, items):
        calls.append([i.key for i in items])
        written = original(con, source, stream, items)
        if len(calls) == 2:  # inside the second batch's transaction, after its rows are written
            os.kill(os.getpid(), signal.SIGTERM)
        return written

    monkeypatch.setattr(warehouse.load, "apply_transform", transform_then_signal)
    with pytest.raises(Terminated), terminable():
        collect(settings, registry, ["pypi"], ["pytorch", "jax", "keras", "mxnet"])
    assert sha(settings.db) == before  # nothing published
    assert not list(settings.db.parent.glob(".*.tmp"))
    landed = {r[0] for r in query(settings.work_path, "SELECT item_key FROM raw.items")}
    assert landed == {"tinygrad", *calls[0]}  # the first batch committed, the second rolled back
    typed = {r[0] for r in query(settings.work_path, "SELECT package_key FROM core.pypi_projects")}
    assert typed == landed
    monkeypatch.setattr(warehouse.load, "apply_transform", original)
    rerun = collect(settings, registry, ["pypi"], ["pytorch", "jax", "keras", "mxnet"])
    assert rerun.ok
    statuses = query(settings.db, "SELECT status, error FROM collector_runs ORDER BY run_id")
    assert statuses[1] == ("failed", "interrupted: the process ended before the run finished")
    assert snapshot(settings.db, ("releases", "release_files")) == snapshot(
        clean_run(tmp_path, "clean", ["tinygrad", "pytorch", "jax", "keras", "mxnet"]),
        ("releases", "release_files"))


@pytest.mark.slow
def test_sigterm_stops_a_collect_within_seconds_and_publishes_nothing(tmp_path, pypi_server):
    db = tmp_path / "dl.duckdb"
    env = cli_env(db, pypi_server.url, DLTRENDS_CONCURRENCY="2")
    first = dltrends("collect", "-s", "pypi", "-f", "tinygrad", env=env)
    assert first.wait(60) == 0
    before = sha(db)
    for key in ("torch", "tensorflow", "jax", "keras", "mxnet", "onnxruntime"):
        pypi_server.fail(f"/pypi/{key}/json", *[slow(3)] * 3)  # requests in flight when stopped
    pypi_server.reset_log()
    proc = dltrends("collect", "-s", "pypi", env=env)
    wait_for(lambda: pypi_server.count("/pypi/torch/json"), 30, "the collect to fetch")
    time.sleep(0.5)
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    took = time.monotonic() - start
    assert proc.returncode == 143 and took < 10, (proc.returncode, took, err)
    assert "stopped by SIGTERM: the open transaction was rolled back and nothing was published" in err
    assert sha(db) == before and not list(tmp_path.glob(".*.tmp"))
    pypi_server.faults.clear()
    rerun = dltrends("collect", "-s", "pypi", "-v", env=env)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "marked 1 interrupted run(s) as failed" in err
    assert snapshot(db, ("releases", "release_files")) == snapshot(
        clean_run(tmp_path, "clean"), ("releases", "release_files"))


@pytest.mark.slow
def test_scheduler_sigterm_stops_the_running_job_within_10_s(tmp_path, pypi_server):
    db = tmp_path / "dl.duckdb"
    env = cli_env(db, pypi_server.url, DLTRENDS_CONCURRENCY="2")
    assert dltrends("collect", "-s", "pypi", "-f", "tinygrad", env=env).wait(60) == 0
    age_run_log(db)  # the scheduler was down for two hours: it runs pypi once at start
    before = sha(db)
    for key in ("torch", "tensorflow", "jax", "keras"):
        pypi_server.fail(f"/pypi/{key}/json", *[slow(4)] * 3)
    pypi_server.reset_log()
    sched = dltrends("schedule", env=env)
    wait_for(lambda: pypi_server.count("/pypi/torch/json"), 30, "the scheduled collect to fetch")
    child = psutil.Process(sched.pid).children()[0]
    time.sleep(0.5)
    start = time.monotonic()
    sched.send_signal(signal.SIGTERM)
    _, err = sched.communicate(timeout=20)
    took = time.monotonic() - start
    assert sched.returncode == 0 and took < 10, (took, err)
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    assert sha(db) == before
    lines = log_lines(db)
    assert any("job pypi: stopped (exit 143" in line for line in lines), lines
    assert lines[-1].endswith("scheduler stopped")


# -- one writer, one scheduler -------------------------------------------------------------------

@pytest.mark.slow
def test_one_scheduler_per_warehouse_and_never_two_writers(tmp_path, pypi_server):
    db = tmp_path / "dl.duckdb"
    env = cli_env(db, pypi_server.url, DLTRENDS_CONCURRENCY="2", DLTRENDS_LOCK_TIMEOUT="1")
    for key in ("torch", "tensorflow"):
        pypi_server.fail(f"/pypi/{key}/json", *[slow(6)])
    first = dltrends("schedule", env=env)
    try:
        wait_for(lambda: psutil.Process(first.pid).children(), 30, "the first scheduled job")
        second = dltrends("schedule", env=env)
        _, err = second.communicate(timeout=30)
        assert second.returncode == 75
        assert f"another dltrends schedule runs for {db}: pid {first.pid}" in err
        cron = dltrends("collect", "-s", "pypi", env=env)  # what a cron line would start meanwhile
        _, err = cron.communicate(timeout=30)
        assert cron.returncode == 75 and "dltrends collect sources=pypi" in err
        first.kill()  # a crashed scheduler: its lock must not block a restart
        first.wait()
        for child in psutil.Process().children(recursive=True):
            if child.cmdline()[3:4] == ["collect"]:
                child.wait(60)  # the orphaned job finishes its run
        restarted = dltrends("schedule", "-v", env=env)
        wait_for(lambda: any(f"scheduler started (pid {restarted.pid})" in line
                             for line in log_lines(db)), 30, "the restarted scheduler")
        restarted.send_signal(signal.SIGTERM)
        _, err = restarted.communicate(timeout=20)
        assert restarted.returncode == 0, err
        assert f"taking over a stale lock left by pid {first.pid}" in err
    finally:
        if first.poll() is None:
            first.kill()


# -- a trickling git server ---------------------------------------------------------------------

def test_a_trickling_git_server_is_cut_off_with_its_helpers(server):
    from collectors.gitlog import GitError, run_git
    from tests.support.fakeserver import trickle

    server.add("/o/r.git/info/refs", "x" * 400, content_type="text/plain")
    server.fail("/o/r.git/info/refs", trickle(0.05, body_only=True))
    started = time.monotonic()
    with pytest.raises(GitError, match="took longer than 2 s"):
        run_git(["ls-remote", f"{server.url}/o/r.git"], timeout=2)
    assert time.monotonic() - started < 5
    port = server.url.rsplit(":", 1)[1]
    left = [p.info["cmdline"] for p in psutil.process_iter(["cmdline"])
            if any(port in part for part in p.info["cmdline"] or [])]
    assert left == []  # git-remote-http went with git, it does not trickle on as an orphan
