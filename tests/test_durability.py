"""Durability: rebuild from the raw landing equals the online tables; compaction; verified backups."""

from __future__ import annotations

import errno
import json
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import warehouse.compact
import warehouse.publish
from dltrends.registry import load_registry
from jobs.cli import app
from jobs.collect.run import collect
from tests.support.db import DATA_VIEWS, query, snapshot
from tests.support.ops import GenerationalPypi
from tests.support.pypi import load_json, pypi_recordings
from tests.support.settings import make_settings
from warehouse.compact import live_fraction, needs_compaction
from warehouse.db import reader
from warehouse.lock import writer_lock
from warehouse.rebuild import derived_tables

runner = CliRunner()


def tables(db) -> dict[str, list[str]]:
    """Every row of every table in the file (raw, core), sorted."""
    names = query(db, "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1")
    return snapshot(db, [name for (name,) in names])


def cli(settings, *args: str, **env: str):
    return runner.invoke(app, [*args, "--db", str(settings.db)], catch_exceptions=False, env=env)


def test_rebuild_from_raw_equals_the_tables_built_online(tmp_path, server):
    """History with every kind of change: new data, a removed version, its return, a full refetch."""
    pypi = GenerationalPypi(server, keys=["tinygrad", "mlx", "jax", "jaxlib", "keras"])
    settings = make_settings(tmp_path, server)
    registry = load_registry(settings.registry)
    frameworks = ["tinygrad", "mlx", "jax", "keras"]
    for gen, full in ((0, False), (1, False), (1, True), (2, False)):
        pypi.gen = gen
        collect(settings, registry, ["pypi"], frameworks, full=full)
    online = tables(settings.work_path)
    with reader(settings.work_path) as con:
        removed = con.execute("SELECT count(*) FROM core.pypi_releases WHERE version = '99.0.0' "
                              "AND removed_at IS NOT NULL").fetchall()[0][0]
    assert removed == 5  # generation 0's marker release left the index later
    requests = len(server.requests)
    result = cli(settings, "rebuild")
    assert result.exit_code == 0, result.output
    assert "rebuilt from 20 raw payloads" in result.output  # 5 packages x 4 fetches
    assert len(server.requests) == requests  # offline: nothing fetched
    assert tables(settings.work_path) == online
    # and it was published
    assert snapshot(settings.db, DATA_VIEWS) == snapshot(settings.work_path, DATA_VIEWS)


def test_rebuild_also_derives_what_is_computed_across_items(tmp_path, server):
    """MLPerf attribution and benchmark steps are computed after a batch lands (after_load)."""
    from tests.support.mlperf import mlperf_settings, serve_mlperf

    serve_mlperf(server)
    settings = make_settings(tmp_path, server, **mlperf_settings(server))
    collect(settings, load_registry(settings.registry), ["mlperf"])
    online = tables(settings.work_path)
    with reader(settings.work_path) as con:
        attributed = con.execute("SELECT count(*) FROM core.mlperf_results "
                                 "WHERE framework IS NOT NULL").fetchall()[0][0]
    assert attributed > 0
    assert cli(settings, "rebuild").exit_code == 0
    assert tables(settings.work_path) == online


def test_rebuild_repairs_a_damaged_table(tmp_path, pypi_server):
    settings = make_settings(tmp_path, pypi_server)
    collect(settings, load_registry(settings.registry), ["pypi"], ["tinygrad", "mlx"])
    before = tables(settings.work_path)
    con = duckdb.connect(str(settings.work_path))
    con.execute("DELETE FROM core.pypi_files; UPDATE core.pypi_releases SET yanked = NOT yanked")
    con.close()
    assert cli(settings, "rebuild").exit_code == 0
    assert tables(settings.work_path) == before
    derived = set(derived_tables())  # every source's typed tables are rebuilt from raw
    assert {"core.pypi_projects", "core.pypi_releases", "core.pypi_files",
            "core.github_repo_snapshots", "core.npm_downloads_daily", "core.mlperf_runs"} <= derived
    assert not {"core.collector_runs", "core.fetch_state", "core.frameworks"} & derived


def churn(tmp_path, server, generations: int, **overrides):
    """Daily cycles that change every package (a new marker release each time)."""
    pypi = GenerationalPypi(server, keys=["tinygrad", "mlx", "keras", "chainer"])
    settings = make_settings(tmp_path, server, **overrides)
    registry = load_registry(settings.registry)
    for gen in range(generations):
        pypi.gen = gen
        collect(settings, registry, ["pypi"], ["tinygrad", "mlx", "keras", "chainer"])
    return settings


def test_compact_gives_back_the_space_of_updated_rows(tmp_path, server):
    settings = churn(tmp_path, server, 6, compact_ratio=0)
    before = settings.work_path.stat().st_size
    data = tables(settings.work_path)
    assert live_fraction(settings.work_path) < 0.8
    result = cli(settings, "compact")
    assert result.exit_code == 0, result.output
    after = settings.work_path.stat().st_size
    assert after < 0.8 * before
    assert live_fraction(settings.work_path) > 0.95
    assert tables(settings.work_path) == data
    assert settings.db.stat().st_size == after  # published right away
    with reader(settings.work_path) as con:  # sequences continue where they were
        assert con.execute("SELECT last_value FROM duckdb_sequences() "
                           "WHERE sequence_name = 'run_ids'").fetchall() == [(6,)]


def test_publish_compacts_past_the_ratio(tmp_path, server, monkeypatch):
    monkeypatch.setattr(warehouse.compact, "MIN_BYTES", 0)
    compacted = []
    original = warehouse.publish.compact
    monkeypatch.setattr(warehouse.publish, "compact",
                        lambda work: compacted.append(work) or original(work))
    plain = churn(tmp_path / "plain", server, 6, compact_ratio=0)
    assert compacted == [] and live_fraction(plain.work_path) < 1 / 1.3
    auto = churn(tmp_path / "auto", server, 6, compact_ratio=1.3)
    assert len(compacted) >= 2  # the file is kept within 1.3 times its live data
    assert live_fraction(auto.work_path) >= 1 / 1.3 and not needs_compaction(auto.work_path, 1.3)
    views = ("releases", "release_files")
    assert snapshot(auto.db, views) == snapshot(plain.db, views)


def test_a_failed_compaction_publishes_the_file_as_it_is(tmp_path, pypi_server, monkeypatch, caplog):
    monkeypatch.setattr(warehouse.compact, "MIN_BYTES", 0)
    monkeypatch.setattr(warehouse.compact, "live_fraction", lambda work: 0.1)

    def no_space(source, target):
        target.write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(warehouse.compact, "copy_database", no_space)
    settings = make_settings(tmp_path, pypi_server)
    result = collect(settings, load_registry(settings.registry), ["pypi"], ["tinygrad"])
    assert result.ok and result.published
    assert "could not compact" in caplog.text and "No space left on device" in caplog.text
    assert not list(settings.db.parent.glob("*.compact*"))
    assert snapshot(settings.db, DATA_VIEWS) == snapshot(settings.work_path, DATA_VIEWS)


def test_backup_is_a_verified_copy_with_the_raw_landing(tmp_path, pypi_server):
    settings = make_settings(tmp_path, pypi_server)
    collect(settings, load_registry(settings.registry), ["pypi"], ["tinygrad", "mlx"])
    folder = tmp_path / "backups"
    made = []
    for _ in range(3):
        result = cli(settings, "backup", str(folder), "--keep", "2")
        assert result.exit_code == 0, result.output
        made.append(result.output.split("backup ", 1)[1].split(" (", 1)[0])
        time.sleep(1.1)  # backups are named by the second
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 4 and all(name in str(made[1:]) for name in kept if name.endswith(".backup"))
    latest = sorted(folder.glob("*.backup"))[-1]
    assert tables(latest) == tables(settings.work_path)
    manifest = json.loads((folder / (latest.name + ".json")).read_text())
    releases = sum(len(load_json(pypi_recordings()[k][0])["releases"]) for k in ("tinygrad", "mlx"))
    assert manifest["rows"]["raw.items"] == 2 and manifest["rows"]["core.pypi_releases"] == releases
    assert manifest["migrations"][0] == "0001_foundation" and len(manifest["sha256"]) == 64


@pytest.mark.parametrize("command", [["rebuild"], ["compact"], ["backup", "bk"]])
def test_maintenance_waits_for_the_writer_and_exits_75(tmp_path, pypi_server, command):
    settings = make_settings(tmp_path, pypi_server)
    collect(settings, load_registry(settings.registry), ["pypi"], ["tinygrad"])
    held, release = threading.Event(), threading.Event()

    def hold():
        with writer_lock(settings.lock_path, 5, "dltrends collect (test)"):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(5)
        result = cli(settings, *command, DLTRENDS_LOCK_TIMEOUT="0.3")
    finally:
        release.set()
        thread.join()
    assert result.exit_code == 75
    assert "dltrends collect (test)" in result.output


@pytest.mark.parametrize("command", [["rebuild"], ["compact"], ["backup", "bk"]])
def test_maintenance_without_a_warehouse_exits_2(tmp_path, command):
    settings = make_settings(tmp_path)
    result = cli(settings, *command)
    assert result.exit_code == 2 and "run `dltrends collect` first" in result.output


def test_a_new_reader_sees_each_publish_while_an_older_one_is_still_open(tmp_path):
    """DuckDB shares one database instance per path within a process: a dashboard session or the
    warm-up thread holding a connection must not make the next query read the replaced file
    (a flaky stale read in CI, and stale cached panels for up to the cache TTL in the dashboard)."""
    from dashboard.db import _execute

    work, db = tmp_path / "w.duckdb", tmp_path / "dl.duckdb"

    def publish_version(n: int) -> None:
        con = duckdb.connect(str(work))
        con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS version", [n])
        con.close()
        warehouse.publish.publish(work, db, compact_ratio=0)

    publish_version(1)
    with reader(db) as held:
        publish_version(2)
        with reader(db) as fresh:
            assert fresh.execute("SELECT version FROM t").fetchall() == [(2,)]
        assert _execute(str(db), 0, "SELECT version FROM t", ()).to_dict("records") == [
            {"version": 2}]
        assert held.execute("SELECT version FROM t").fetchall() == [(1,)]  # its own snapshot
        assert held.execute("SELECT current_database()").fetchall() == [("dl",)]


def test_a_seed_cut_half_way_leaves_no_truncated_working_file(tmp_path, pypi_server, monkeypatch):
    """The working file is lost and the disk runs full while it is copied from the published one:
    the command says so (exit 74), and the next writer seeds it afresh and works."""
    settings = make_settings(tmp_path, pypi_server)
    registry = load_registry(settings.registry)
    collect(settings, registry, ["pypi"], ["tinygrad"])
    settings.work_path.unlink()
    copyfile = shutil.copyfile

    def half_then_disk_full(src, dst, *args, **kwargs):
        data = Path(src).read_bytes()
        Path(dst).write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", half_then_disk_full)
    result = cli(settings, "rebuild")
    monkeypatch.setattr(shutil, "copyfile", copyfile)
    assert result.exit_code == 74
    assert (f"could not seed the working file {settings.work_path} from {settings.db} "
            "(No space left on device); nothing was written") in result.output
    left = {p.name for p in settings.db.parent.iterdir()} - {settings.db.name,
                                                             settings.lock_path.name}
    assert left == set()  # no working file, whole or truncated, and no partial copy
    second = collect(settings, registry, ["pypi"], ["tinygrad"]).sources[0]
    assert second.counts.items_unchanged == 1  # seeded whole: history and fetch state came back
