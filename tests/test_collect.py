"""The collect job end to end against the fake server: landing, idempotency, bad input."""

from __future__ import annotations

import json

import duckdb
import pytest

from dltrends import __version__
from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.db import query, snapshot
from tests.support.fakeserver import HTML, SHORT_BODY, TRUNCATED, status
from tests.support.pypi import pypi_recordings, recorded_releases
from tests.support.settings import make_settings


def recorded_release_count(registry) -> int:
    keys = {p.key for p in registry.packages()}
    return sum(recorded_releases(key) for key in pypi_recordings() if key in keys)


def test_full_collect_lands_every_recorded_release(settings, registry):
    result = collect(settings, registry, ["pypi"])
    assert result.ok
    run = result.sources[0]
    packages = len(registry.packages())
    assert (run.counts.items_ok, run.counts.items_failed) == (packages, 0)
    assert query(settings.db, "SELECT count(*) FROM releases")[0][0] == recorded_release_count(registry)
    rows = query(settings.db, "SELECT source, status, items_ok, items_failed, error, rows_written "
                              "FROM collector_runs")
    assert rows == [("pypi", "ok", packages, 0, None, run.counts.rows_written)]
    assert run.counts.rows_written > 0


def test_releases_view_joins_framework_and_role(settings, registry):
    collect(settings, registry, ["pypi"])
    row = query(settings.db, "SELECT framework, package, role, version_normalized, released_at, "
                             "file_count FROM releases WHERE package = 'jaxlib' AND version = '0.4.32'")
    assert row[0][:4] == ("jax", "jaxlib", "companion", "0.4.32")
    theano = query(settings.db, "SELECT DISTINCT package FROM releases WHERE framework = 'theano'")
    assert theano == [("Theano",)]


def test_raw_landing_keeps_provenance(settings, registry):
    collect(settings, registry, ["pypi"], ["tinygrad"])
    rows = query(settings.db, "SELECT source, stream, item_key, collector_version, cursor, "
                              "json_extract(payload, '$.info.name') FROM raw.items")
    assert len(rows) == 1
    source, stream, key, version, cursor, name = rows[0]
    assert (source, stream, key, cursor, name) == (
        "pypi", "projects", "tinygrad", str(pypi_recordings()["tinygrad"][1]), '"tinygrad"')
    assert version == __version__  # the dltrends that fetched it: a rebuild can tell old parses


def test_load_twice_adds_nothing_and_changes_nothing(settings, registry, pypi_server):
    collect(settings, registry, ["pypi"])
    before = snapshot(settings.db)
    second = collect(settings, registry, ["pypi"]).sources[0]
    assert second.counts.items_unchanged == len(registry.packages())
    assert (second.counts.items_ok, second.counts.rows_written) == (0, 0)
    assert snapshot(settings.db) == before
    requests = [r for r in pypi_server.requests if r.path.startswith("/pypi/")]
    assert all("If-None-Match" in r.headers for r in requests[len(registry.packages()):])


@pytest.mark.parametrize("serial_header", [True, False])
def test_unchanged_serial_without_etag_support_writes_nothing(tmp_path, server, registry,
                                                              serial_header):
    from tests.support.pypi import serve_pypi

    serve_pypi(server, serial_header=serial_header)
    server.etags = False  # a proxy that strips ETags: the body's last_serial still detects it
    cfg = make_settings(tmp_path, server)
    collect(cfg, registry, ["pypi"])
    before = snapshot(cfg.db)
    second = collect(cfg, registry, ["pypi"]).sources[0]
    assert (second.counts.items_unchanged, second.counts.rows_written) == (len(registry.packages()), 0)
    assert snapshot(cfg.db) == before


def test_full_refetch_reparses_and_changes_no_value(settings, registry):
    collect(settings, registry, ["pypi"])
    before = snapshot(settings.db)
    again = collect(settings, registry, ["pypi"], full=True).sources[0]
    assert again.counts.items_ok == len(registry.packages())
    assert again.counts.rows_written == 0
    after = snapshot(settings.db)
    assert len(after["raw.items"]) == 2 * len(before["raw.items"])  # each fetch lands in raw
    for table in before:
        if table not in ("raw.items", "core.fetch_state", "packages"):
            assert after[table] == before[table], table


def test_bad_input_is_named_and_the_rest_is_published(tmp_path, pypi_server, registry):
    server = pypi_server
    server.add("/pypi/broken-html/json", "<html>maintenance</html>", content_type="text/html")
    server.fail("/pypi/torch/json", TRUNCATED)
    server.fail("/pypi/jax/json", *[status(503)] * 3)
    server.fail("/pypi/keras/json", *[SHORT_BODY] * 3)
    server.fail("/pypi/mxnet/json", HTML)
    reg_path = tmp_path / "reg.toml"
    reg_path.write_text(registry.path.read_text() + '\n[frameworks.ghost]\nname = "Ghost"\n'
                        'pypi = ["does-not-exist-xyz", "broken-html"]\n')
    cfg = make_settings(tmp_path, server, registry=reg_path)
    result = collect(cfg, load_registry(reg_path), ["pypi"])
    run = result.sources[0]
    assert run.status == "partial" and not result.ok
    failed = {item for _, item in run.counts.errors}
    assert failed == {"torch", "jax", "keras", "mxnet", "does-not-exist-xyz", "broken-html"}
    error = query(cfg.db, "SELECT error FROM collector_runs")[0][0]
    assert "does-not-exist-xyz: not found on the index: HTTP 404" in error
    assert "torch: invalid JSON" in error and "truncated body?" in error
    assert "jax: HTTP 503 Service Unavailable; after 3 attempts" in error
    assert "keras: connection failed (RemoteProtocolError" in error
    assert "mxnet: expected JSON, got text/html" in error
    assert "broken-html: expected JSON, got text/html" in error
    published = {r[0] for r in query(cfg.db, "SELECT DISTINCT package FROM releases")}
    assert "tensorflow" in published and "torch" not in published
    assert len(published) == len(registry.packages()) - 4


def test_a_failed_item_is_fetched_again_next_run(settings, registry, pypi_server):
    pypi_server.fail("/pypi/torch/json", TRUNCATED)
    collect(settings, registry, ["pypi"], ["pytorch"])
    second = collect(settings, registry, ["pypi"], ["pytorch"]).sources[0]
    assert (second.status, second.counts.items_ok) == ("ok", 1)


def test_version_removed_from_the_index_leaves_the_view(tmp_path, server):
    path, serial = pypi_recordings()["tinygrad"]
    payload = json.loads(path.read_bytes())
    server.add("/pypi/tinygrad/json", payload)
    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.tinygrad]\nname = "tinygrad"\npypi = ["tinygrad"]\n')
    cfg = make_settings(tmp_path, server, registry=reg)
    collect(cfg, load_registry(reg), ["pypi"])
    payload["releases"].pop("0.1.0")
    payload["last_serial"] = serial + 1
    server.add("/pypi/tinygrad/json", payload)
    run = collect(cfg, load_registry(reg), ["pypi"]).sources[0]
    assert run.counts.rows_written >= 2  # the release and its files marked removed
    versions = {r[0] for r in query(cfg.db, "SELECT version FROM releases")}
    assert "0.1.0" not in versions and len(versions) == len(payload["releases"])
    removed = query(cfg.db, "SELECT removed_at IS NOT NULL FROM core.pypi_releases "
                            "WHERE version = '0.1.0'")
    assert removed == [(True,)]


def test_framework_filter_and_nightlies(settings, registry, pypi_server):
    collect(settings, registry, ["pypi"], ["jax"])
    fetched = {r.path for r in pypi_server.requests}
    assert fetched == {"/pypi/jax/json", "/pypi/jaxlib/json"}


def test_nightlies_are_tracked_only_when_enabled(tmp_path, server):
    server.add("/pypi/tinygrad/json", json.loads(pypi_recordings()["tinygrad"][0].read_bytes()))
    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.t]\nname = "T"\npypi = ["tinygrad"]\npypi_nightly = ["tg-nightly"]\n')
    collect(make_settings(tmp_path, server, registry=reg), load_registry(reg), ["pypi"])
    assert server.count("/pypi/tg-nightly/json") == 0
    cfg = make_settings(tmp_path, server, registry=reg, nightlies=True)
    run = collect(cfg, load_registry(reg), ["pypi"]).sources[0]
    assert server.count("/pypi/tg-nightly/json") == 1
    assert run.counts.items_failed == 1  # no such project on this fake index


def test_interrupted_run_is_closed_as_failed(settings, registry):
    collect(settings, registry, ["pypi"], ["tinygrad"])
    con = duckdb.connect(str(settings.work_path))
    con.execute("INSERT INTO core.collector_runs (run_id, source, started_at, status, "
                "dltrends_version) VALUES (99, 'pypi', now(), 'running', 'x')")
    con.close()
    collect(settings, registry, ["pypi"], ["tinygrad"])
    row = query(settings.db, "SELECT status, error FROM collector_runs WHERE run_id = 99")
    assert row == [("failed", "interrupted: the process ended before the run finished")]


def test_a_broken_source_is_recorded_and_published(settings, registry, monkeypatch):
    import warehouse.load

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("jobs.collect.run.save_batch", explode)
    result = collect(settings, registry, ["pypi"], ["tinygrad"])
    assert result.sources[0].status == "failed"
    assert query(settings.db, "SELECT status, error FROM collector_runs") == [
        ("failed", "RuntimeError: disk on fire")]
    assert warehouse.load.save_batch is not explode


def test_working_file_is_seeded_from_the_published_one(settings, registry):
    collect(settings, registry, ["pypi"], ["tinygrad"])
    settings.work_path.unlink()
    second = collect(settings, registry, ["pypi"], ["tinygrad"]).sources[0]
    assert second.counts.items_unchanged == 1  # history and fetch state came back
    assert query(settings.db, "SELECT count(*) FROM collector_runs")[0][0] == 2


def test_a_cause_shared_by_many_items_is_said_once():
    from warehouse.runs import RunCounts

    counts = RunCounts()
    for stream in ("snapshots", "releases"):  # the same repos, failing the same way, twice
        for repo in ("b/two", "a/one"):
            counts.fail(stream, repo, "GitHub API unreachable")
    counts.fail("releases", "c/three", "HTTP 404")
    assert counts.error_text() == "a/one, b/two: GitHub API unreachable; c/three: HTTP 404"


def test_a_source_stops_after_n_items_in_a_row_failed(tmp_path, pypi_server, registry):
    keys = [p.key for p in registry.packages()]
    failing = keys[1:]  # the first package answers
    assert len(failing) > 10
    for key in failing:
        pypi_server.fail(f"/pypi/{key}/json", status(404))
    settings = make_settings(tmp_path, pypi_server, concurrency=1, source_max_failures=3)
    run = collect(settings, registry, ["pypi"]).sources[0]
    assert run.status == "failed"
    assert run.error.startswith("pypi stopped after 3 items in a row failed "
                                "(DLTRENDS_SOURCE_MAX_FAILURES); the last, ")
    assert "HTTP 404" in run.error
    asked = pypi_server.count()
    assert asked <= 1 + 3 + 2, asked  # the first, three failures, at most two already in flight
    assert run.counts.items_ok == 1 and len(run.counts.errors) == 3
    assert query(settings.db, "SELECT count(DISTINCT package_key) FROM core.pypi_releases") == [(1,)]
    assert query(settings.db, "SELECT status, error FROM collector_runs") == [("failed", run.error)]
