"""Fault injection: network faults, SIGTERM, kill -9, concurrent readers, a full disk, leaked secrets.

Each test asserts that nothing was lost or duplicated. The ones that start real processes are
marked slow (they are part of `make test`).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import psutil
import pytest

import collectors.http
import jobs.collect
import warehouse.load
import warehouse.publish
from dltrends.registry import load_registry
from dltrends.settings import Settings
from jobs.collect import collect
from jobs.sources import SOURCES
from jobs.terminate import Terminated, terminable
from tests.conftest import TEST_REGISTRY, load_json, make_settings, pypi_recordings, serve_pypi
from tests.fakeserver import HTML, RESET, TRUNCATED, FakeServer, slow, status
from tests.ops_support import (
    FakeSmtp,
    GenerationalPypi,
    KillTrial,
    cli_env,
    consistent,
    dltrends,
    generations,
    snapshot,
)
from warehouse.db import reader
from warehouse.publish import PublishError


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(db: Path, sql: str) -> list[tuple]:
    with reader(db) as con:
        return con.execute(sql).fetchall()


def recorded_releases(key: str) -> int:
    return len(load_json(pypi_recordings()[key][0])["releases"])


def clean_run(tmp_path: Path, name: str, frameworks: list[str] | None = None) -> Path:
    """The published file of one undisturbed collect, for comparisons."""
    with FakeServer() as fake:
        serve_pypi(fake)
        settings = make_settings(tmp_path / name, fake)
        collect(settings, load_registry(TEST_REGISTRY), ["pypi"], frameworks)
    return settings.db


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
    monkeypatch.setattr(jobs.collect, "BATCH_ITEMS", 2)
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
    first = dltrends("collect", "-f", "tinygrad", env=env)
    assert first.wait(60) == 0
    before = sha(db)
    for key in ("torch", "tensorflow", "jax", "keras", "mxnet", "onnxruntime"):
        pypi_server.fail(f"/pypi/{key}/json", *[slow(3)] * 3)  # requests in flight when stopped
    pypi_server.reset_log()
    proc = dltrends("collect", env=env)
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
    rerun = dltrends("collect", "-v", env=env)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "marked 1 interrupted run(s) as failed" in err
    assert snapshot(db, ("releases", "release_files")) == snapshot(
        clean_run(tmp_path, "clean"), ("releases", "release_files"))


def age_run_log(db: Path, hours: int = 2) -> None:
    """Pretend the last collect was `hours` ago, so a starting scheduler finds a missed run."""
    work = db.with_name(db.name + ".work")
    con = duckdb.connect(str(work))
    try:
        con.execute(f"UPDATE core.collector_runs SET started_at = started_at - INTERVAL {hours} HOUR")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp = db.with_name(db.name + ".aged")
    tmp.write_bytes(work.read_bytes())
    os.replace(tmp, db)


def wait_for(predicate, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def log_lines(db: Path) -> list[str]:
    path = db.with_name(db.name + ".log")
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.slow
def test_scheduler_sigterm_stops_the_running_job_within_10_s(tmp_path, pypi_server):
    db = tmp_path / "dl.duckdb"
    env = cli_env(db, pypi_server.url, DLTRENDS_CONCURRENCY="2")
    assert dltrends("collect", "-f", "tinygrad", env=env).wait(60) == 0
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
        cron = dltrends("collect", env=env)  # what a cron line would start meanwhile
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


# -- readers and writers -----------------------------------------------------------------------

SCHEDULER = textwrap.dedent("""
    import sys
    from apscheduler.triggers.interval import IntervalTrigger
    from dltrends.settings import load_settings
    from jobs import scheduler
    from jobs.cli_base import setup
    from jobs.schedule import Task
    settings = setup(None)
    # The real scheduler process (lock, log, child jobs, SIGTERM) collecting every 2 s.
    task = Task("pypi", "* * * * *", ("collect", *sys.argv[1:]), source="pypi")
    sys.exit(scheduler.run(settings, None, triggers={"pypi": IntervalTrigger(seconds=2)},
                           task_list=[task]))
""")

READER = textwrap.dedent("""
    import json, os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    errors, reads, states, latencies, last_runs = [], 0, set(), [], 0
    while not os.path.exists(stop):
        start = time.perf_counter()
        try:  # as the dashboard does: a connection per query, closed at once
            con = duckdb.connect(path, read_only=True)
            try:
                files, listed, runs = con.execute(
                    "SELECT (SELECT coalesce(sum(file_count), 0) FROM releases), "
                    "(SELECT count(*) FROM release_files), (SELECT count(*) FROM collector_runs)"
                ).fetchall()[0]
                markers = con.execute(
                    "SELECT package, count(*) FILTER (WHERE version LIKE '99.0.%') FROM releases "
                    "GROUP BY package").fetchall()
            finally:
                con.close()
            if files != listed:
                errors.append(f"releases count {files} files, release_files lists {listed}")
            if any(n != 1 for _, n in markers):
                errors.append(f"a package without exactly one marker: {markers}")
            if runs < last_runs:
                errors.append(f"the run log went back from {last_runs} to {runs} runs")
            last_runs = runs
            states.add(runs)
            reads += 1
            latencies.append(time.perf_counter() - start)
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.02)
    print(json.dumps({"errors": errors, "reads": reads, "states": sorted(states),
                      "latencies": latencies}))
""")


FEW = ("-f", "tinygrad", "-f", "mlx", "-f", "keras")  # a job takes ~1.5 s: writes every 2 s


@pytest.mark.slow
def test_readers_never_fail_while_a_scheduler_writes_every_2_s(tmp_path, server):
    GenerationalPypi(server, gen=lambda: int(time.time() * 2))  # new data every half second
    db = tmp_path / "dl.duckdb"
    env = cli_env(db, server.url, DLTRENDS_CONCURRENCY="4")
    assert dltrends("collect", *FEW, env=env).wait(120) == 0
    stop = tmp_path / "stop"
    reader_proc = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop)],
                                   stdout=subprocess.PIPE, text=True)
    sched = subprocess.Popen([sys.executable, "-c", SCHEDULER, *FEW], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(30)
    sched.send_signal(signal.SIGTERM)
    sched.communicate(timeout=20)
    stop.touch()
    report = json.loads(reader_proc.communicate(timeout=60)[0])
    jobs_run = [line for line in log_lines(db) if " job pypi: " in line]
    if "job pypi: stopped (exit " in jobs_run[-1]:
        jobs_run.pop()  # the job the SIGTERM at the end interrupted (it published nothing)
    assert report["errors"] == []
    assert report["reads"] > 200
    assert len(jobs_run) >= 4 and all(" job pypi: ok (exit 0" in line for line in jobs_run), jobs_run
    assert len(report["states"]) >= len(jobs_run) - 1  # readers saw (nearly) every publish
    assert len(generations(db)) == 3  # each package: exactly its latest marker release


# -- kill -9 -----------------------------------------------------------------------------------

@pytest.mark.slow
def test_kill_9_at_20_random_points_leaves_old_or_new_data_never_a_mix(tmp_path, server):
    pypi = GenerationalPypi(server)
    db = tmp_path / "dl.duckdb"
    trial = KillTrial(db, server.url, pypi)
    trial.run()  # asserts after each kill that the file holds one whole generation, old or new
    assert len(trial.outcomes) == 20
    assert "collecting" in {o.phase for o in trial.outcomes}  # kills hit runs that were writing
    pypi.gen = 22
    env = cli_env(db, server.url)
    rerun = dltrends("collect", *trial.args(), env=env)
    assert rerun.wait(120) == 0
    assert consistent(db) == (22, None)
    statuses = {r[0] for r in query(db, "SELECT status FROM collector_runs")}
    assert statuses <= {"ok", "failed"}  # killed runs were closed as interrupted
    clean_db = tmp_path / "clean" / "dl.duckdb"
    clean = dltrends("collect", *trial.args(), env=cli_env(clean_db, server.url))
    assert clean.wait(120) == 0
    views = ("releases", "release_files", "frameworks")
    assert snapshot(db, views) == snapshot(clean_db, views)  # a rerun equals a clean run


# -- disk full ---------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 48 MB tmpfs (root only); skipped where it cannot be mounted (the patched-write variant in
    test_publish_lock.py covers that case)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of `folder` until `leave` bytes are free."""
    filler = folder / "filler"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with filler.open("wb") as fh:
        fh.truncate(0)
        chunk = b"\0" * (1 << 20)
        remaining = free - leave
        while remaining > 0:
            try:
                fh.write(chunk[: min(len(chunk), remaining)])
                fh.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
            remaining -= len(chunk)
    return filler


def test_disk_full_while_publishing_keeps_the_old_file(small_disk, pypi_server, monkeypatch):
    settings = make_settings(small_disk, pypi_server)
    registry = load_registry(settings.registry)
    collect(settings, registry, ["pypi"], ["tinygrad"])
    before = sha(settings.db)
    checkpoint = warehouse.publish.checkpoint
    fillers = []

    def checkpoint_then_fill(work):
        checkpoint(work)  # the working file is complete; now the disk runs full
        fillers.append(fill(small_disk, leave=1 << 20))

    monkeypatch.setattr(warehouse.publish, "checkpoint", checkpoint_then_fill)
    with pytest.raises(PublishError) as info:
        collect(settings, registry, ["pypi"], ["mlx"])
    assert str(info.value).startswith(f"could not publish {settings.db} (No space left on device); "
                                      "the published file is unchanged and the data is safe in "
                                      "the working file")
    assert sha(settings.db) == before
    assert not [p for p in small_disk.rglob("*.tmp")]
    fillers[0].unlink()
    monkeypatch.setattr(warehouse.publish, "checkpoint", checkpoint)
    assert collect(settings, registry, ["pypi"], ["mlx"]).ok
    assert query(settings.db, "SELECT count(DISTINCT package) FROM releases") == [(2,)]


# -- secrets -----------------------------------------------------------------------------------

SECRETS = {"GITHUB_TOKEN": "ghp_TopSecretToken0123456789abcdefABCDEF",
           "DLTRENDS_SMTP_PASSWORD": "smtp-TopSecret-Pa55word"}
HOOK_SECRET = "/services/T0SECRET/B0SECRET/HookSecretXyz987"


def string_cells(path: Path, secret: str) -> list[str]:
    """Tables and columns of a DuckDB file whose text holds `secret` (files may compress text)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE NOT internal "
            "AND data_type IN ('VARCHAR', 'JSON') AND schema_name IN ('raw', 'core', 'main')").fetchall()
        found = []
        for schema, table, column in columns:
            hits = con.execute(f'SELECT count(*) FROM "{schema}"."{table}" '
                               f'WHERE contains("{column}"::VARCHAR, ?)', [secret]).fetchall()[0][0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
        return found
    finally:
        con.close()


@pytest.mark.slow
def test_secrets_appear_in_no_file_log_line_or_error_text(tmp_path, pypi_server):
    with FakeSmtp() as smtp:
        pypi_server.add(HOOK_SECRET, "ok", content_type="text/plain", method="POST")
        pypi_server.fail(HOOK_SECRET, status(500, "bad hook " + HOOK_SECRET), method="POST")
        pypi_server.fail("/pypi/keras/json", *[status(401, "token rejected")] * 3)
        data = tmp_path / "data"
        db = data / "dl.duckdb"
        env = cli_env(db, pypi_server.url, **SECRETS,
                      DLTRENDS_ALERT_WEBHOOK_URL=pypi_server.url + HOOK_SECRET,
                      DLTRENDS_SMTP_HOST="127.0.0.1", DLTRENDS_SMTP_PORT=str(smtp.port),
                      DLTRENDS_SMTP_SECURITY="none", DLTRENDS_SMTP_USER="dltrends",
                      DLTRENDS_ALERT_EMAIL_TO="ops@example.org", DLTRENDS_ALERT_RELEASE_DAYS="100000",
                      DLTRENDS_LOG_LEVEL="DEBUG")
        for name in Settings.model_fields:  # every source's base URL points at the fake server
            if name.endswith("_url") and name != "alert_webhook_url":
                env[f"DLTRENDS_{name.upper()}"] = pypi_server.url
        said = []
        for args in (["collect", "-v", *[a for s in SOURCES for a in ("-s", s)]], ["status"],
                     ["alerts", "check", "-v"], ["alerts", "test"], ["backup", str(data / "bk")]):
            proc = dltrends(*args, env=env)
            out, err = proc.communicate(timeout=120)
            said.append(f"$ dltrends {' '.join(args)} -> {proc.returncode}\n{out}\n{err}")
        age_run_log(db)
        sched = dltrends("schedule", "-v", env=env)
        wait_for(lambda: any(" job pypi: " in line for line in log_lines(db)), 60, "a scheduled job")
        sched.send_signal(signal.SIGTERM)
        said.append("".join(sched.communicate(timeout=20)))
    transcript = "\n".join(said)
    assert "alerts: " in transcript and "sent " in transcript  # deliveries happened (and failed once)
    assert "HTTP 401" in transcript and smtp.messages and smtp.logins
    secrets = [*SECRETS.values(), HOOK_SECRET, HOOK_SECRET.rsplit("/", 1)[1]]
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".log") for p in files) and any(p.suffix == ".backup" for p in files)
    for secret in secrets:
        assert secret not in transcript, secret
        leaked = [p for p in files if secret.encode() in p.read_bytes()]
        assert leaked == [], (secret, leaked)
        for path in files:
            if path.suffix in (".duckdb", ".work", ".backup"):
                assert string_cells(path, secret) == [], (secret, path)
