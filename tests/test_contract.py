"""The collector contract, checked for every source: the interface, and each stream's declared
key against the tables it feeds (whose keys live in the ordered migrations) and their transforms."""

import inspect

import pytest

from collectors import bigquery
from collectors.base import NO_INPUTS, Collector, Stream
from collectors.bench import runner
from jobs.collect.backfill import BACKFILL_SOURCES, backfill_job
from jobs.collect.sources import SOURCES
from tests.support.settings import make_settings
from warehouse.db import connect, ensure_shape
from warehouse.store import primary_key
from warehouse.transforms import TRANSFORMS

COLLECTORS = {name: source.collector for name, source in SOURCES.items()} | {
    "bigquery": bigquery.BigQueryCollector}


@pytest.fixture(scope="module")
def warehouse():
    con = connect(":memory:")
    ensure_shape(con)
    yield con
    con.close()


def columns(con, table: str) -> set[str]:
    schema, name = table.split(".")
    rows = con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
                       [schema, name]).fetchall()
    return {r[0] for r in rows}


def fed_tables(source: str, stream: str) -> dict:
    """The tables a stream's transform writes: what it returns for no items."""
    return TRANSFORMS[(source, stream)].transform([])


@pytest.mark.parametrize("source", sorted(COLLECTORS))
def test_each_source_implements_the_collector_interface(source):
    cls = COLLECTORS[source]
    assert issubclass(cls, Collector) and not inspect.isabstract(cls)
    assert cls.name == source
    assert cls.streams and all(isinstance(s, Stream) and key == s.name for key, s in cls.streams.items())
    assert list(inspect.signature(cls.from_settings).parameters) == ["settings", "inputs"]


@pytest.mark.parametrize("source", sorted(COLLECTORS))
def test_each_stream_key_is_its_table_key_and_its_transform_feeds_that_table(source, warehouse):
    for stream in COLLECTORS[source].streams.values():
        assert tuple(primary_key(warehouse, stream.table)) == stream.primary_key, stream
        fed = fed_tables(source, stream.name)
        assert stream.table in fed, (stream, sorted(fed))
        for table in fed:  # a stream may feed several tables: each has a key in the migrations
            assert primary_key(warehouse, table), table
        for table, column in getattr(TRANSFORMS[(source, stream.name)], "SNAPSHOT_SCOPE", {}).items():
            assert column in columns(warehouse, table), (table, column)


def test_every_transform_belongs_to_a_declared_stream_or_the_bench_runner():
    declared = {(name, s) for name, cls in COLLECTORS.items() for s in cls.streams}
    assert set(TRANSFORMS) - declared == {(runner.NAME, runner.STREAM)}


def test_the_bench_runner_feeds_keyed_tables(warehouse):
    for table in fed_tables(runner.NAME, runner.STREAM):
        assert primary_key(warehouse, table), table


@pytest.mark.parametrize("source", sorted(COLLECTORS))
def test_each_collector_builds_from_the_settings_alone_and_closes(source, tmp_path, monkeypatch):
    if source == "bigquery":  # its construction checks Google credentials first
        monkeypatch.setattr(bigquery, "google_credentials",
                            lambda: bigquery.Credentials(lambda: "token", "a-project"))
    collector = COLLECTORS[source].from_settings(make_settings(tmp_path), NO_INPUTS)
    try:
        assert collector.requests_sent == 0
        assert collector.exists("anything") is None  # the default: the source cannot tell
    finally:
        collector.close()


@pytest.mark.parametrize("source", BACKFILL_SOURCES)
def test_backfill_sources_use_the_same_collectors(source):
    assert backfill_job(source, None, None).collector is COLLECTORS[source]
