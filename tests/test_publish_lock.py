"""Publishing and locking with real processes: readers never blocked, one writer, kills lose nothing."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dltrends.errors import WarehouseBusy
from jobs.collect.run import collect
from tests.support.fakeserver import FakeServer
from tests.support.github_repos import serve_test_registry
from tests.support.ops import dltrends, sha
from tests.support.settings import TEST_REGISTRY
from warehouse.lock import holder, writer_lock
from warehouse.publish import PublishError

pytestmark = pytest.mark.slow

READER = textwrap.dedent("""
    import json, os, sys, time, duckdb
    path, stop, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    # "hold": keep one connection open the whole time (it keeps reading the old file);
    # "fresh": a connection per query, as the dashboard does (it sees each new publish).
    # Two processes, because DuckDB shares one open database per path within a process.
    held = duckdb.connect(path, read_only=True) if mode == "hold" else None
    errors, reads, states = [], 0, set()
    end = time.time() + 300
    while time.time() < end and not os.path.exists(stop):
        try:
            c = held or duckdb.connect(path, read_only=True)
            n, files, runs = c.execute(
                "SELECT (SELECT count(*) FROM releases), "
                "(SELECT coalesce(sum(file_count), 0) FROM releases), "
                "(SELECT count(*) FROM collector_runs)").fetchall()[0]
            listed = c.execute("SELECT count(*) FROM release_files").fetchall()[0][0]
            if files != listed:
                errors.append(f"inconsistent: {files} files in releases, {listed} listed")
            states.add((n, runs))
            reads += 1
            if held is None:
                c.close()
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.02)
    print(json.dumps({"errors": errors, "reads": reads, "states": sorted(states)}))
""")


def cli_env(db: Path, server: FakeServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLTRENDS_")}
    env.update(DLTRENDS_DB=str(db), DLTRENDS_REGISTRY=str(TEST_REGISTRY),
               DLTRENDS_PYPI_URL=server.url, DLTRENDS_HTTP_MAX_RETRY_WAIT="0",
               # these tests are about the writer and the publish: keep every other source off the
               # network (the fake server answers GitHub; the others are refused at once)
               DLTRENDS_PYPISTATS_URL="http://127.0.0.1:9", DLTRENDS_CLICKPY_URL="http://127.0.0.1:9",
               DLTRENDS_GITHUB_API_URL=server.url, DLTRENDS_GITHUB_GIT_URL="", **extra)
    env.pop("GITHUB_TOKEN", None)
    return env


def test_reader_holding_the_file_never_blocks_a_collect(tmp_path, pypi_server):
    db = tmp_path / "dl.duckdb"
    serve_test_registry(pypi_server)  # `collect` runs the github source too
    env = cli_env(db, pypi_server)
    first = dltrends("collect", "-s", "pypi", "-f", "tinygrad", "-f", "mlx", env=env)
    assert first.wait(60) == 0, first.stderr.read()
    stop = tmp_path / "stop"
    probes = {mode: subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop), mode],
                                     stdout=subprocess.PIPE, text=True)
              for mode in ("hold", "fresh")}
    time.sleep(1)
    for args in (["collect"], ["collect", "--full"], ["collect", "-f", "jax", "--full"]):
        proc = dltrends(*args, "-s", "pypi", env=env)
        assert proc.wait(120) == 0, proc.stderr.read()
    time.sleep(0.5)
    stop.touch()
    reports = {mode: json.loads(p.communicate(timeout=60)[0]) for mode, p in probes.items()}
    for report in reports.values():
        assert report["errors"] == []
        assert report["reads"] > 20
    assert len(reports["hold"]["states"]) == 1  # the held file is the old one, intact
    assert len(reports["fresh"]["states"]) >= 3  # each publish seen, never a half-written one


def test_a_second_writer_gets_exit_75_naming_the_holder(tmp_path, pypi_server):
    db = tmp_path / "dl.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from warehouse.lock import writer_lock
        with writer_lock(Path({str(db) + '.work.lock'!r}), 5, "dltrends collect (test holder)"):
            print("held", flush=True)
            time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        proc = dltrends("collect", env=cli_env(db, pypi_server, DLTRENDS_LOCK_TIMEOUT="1"))
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 75
        assert f"held by pid {holder.pid}" in err and "dltrends collect (test holder)" in err
        assert 1 <= time.monotonic() - start < 30
        assert not db.exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_lock_from_a_dead_process_is_taken_over(tmp_path, pypi_server):
    db = tmp_path / "dl.duckdb"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "dl.duckdb.work.lock").write_text(json.dumps({"pid": dead.pid, "host": "h"}))
    proc = dltrends("collect", "-s", "pypi", "-f", "tinygrad", "-v",
                    env=cli_env(db, pypi_server, DLTRENDS_LOCK_TIMEOUT="1"))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"taking over a stale lock left by pid {dead.pid}" in err


# kill -9 at seeded random points of a run: superseded by the 20-point version in
# tests/test_faults_files.py (test_kill_9_at_20_random_points_leaves_old_or_new_data_never_a_mix).


def test_publish_failure_keeps_the_old_file_and_says_why(settings, registry, monkeypatch):
    collect(settings, registry, ["pypi"], ["tinygrad"])
    before = sha(settings.db)

    def disk_full(src, dst, *args, **kwargs):
        Path(dst).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("warehouse.publish.shutil.copyfile", disk_full)
    with pytest.raises(PublishError, match="No space left on device.*published file is unchanged"):
        collect(settings, registry, ["pypi"], ["mlx"])
    assert sha(settings.db) == before
    assert not [p for p in settings.db.parent.iterdir() if p.name.endswith(".tmp")]


PROBE = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from warehouse.lock import holder
    path, stop = Path(sys.argv[1]), sys.argv[2]
    print("probing", flush=True)
    probes = 0
    while not os.path.exists(stop):
        holder(path)
        probes += 1
    print(probes)
""")


def test_the_status_probe_never_makes_a_writer_fail(tmp_path):
    """`dltrends status` reads the lock's holder in a loop while writers that do not wait
    (DLTRENDS_LOCK_TIMEOUT=0) take and release it: none of them may find it busy."""
    lock, stop = tmp_path / "dl.duckdb.work.lock", tmp_path / "stop"
    lock.touch()
    probe = subprocess.Popen([sys.executable, "-c", PROBE, str(lock), str(stop)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert probe.stdout.readline().strip() == "probing"
        busy = 0
        for _ in range(3000):
            try:
                with writer_lock(lock, 0, "dltrends collect (test)"):
                    assert holder(lock)["command"] == "dltrends collect (test)"
            except WarehouseBusy:
                busy += 1
        assert busy == 0
    finally:
        stop.touch()
        probes = int(probe.communicate(timeout=30)[0])
    assert probes > 1000  # the probe really raced the writers
    assert holder(lock) is None


def test_a_lock_text_left_by_a_dead_process_reads_as_free(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = tmp_path / "dl.duckdb.work.lock"
    lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    assert holder(lock) is None
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))
    assert holder(lock)["pid"] == os.getpid()
