"""`dltrends export`: round trips (Parquet read back equals the view), layout, manifest, failures."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pyarrow.dataset
import pytest
from typer.testing import CliRunner

from jobs import export as export_job
from jobs.cli import app
from warehouse.db import open_reader, public_views

runner = CliRunner()


def _views(db) -> list[str]:
    con = open_reader(db)
    try:
        return public_views(con)
    finally:
        con.close()


# Columns computed from now(): they change between the export and the comparison.
AS_OF_QUERY = {"source_health": ["data_age"]}


def _differences(con, view: str, folder, partitioned: bool) -> tuple[int, int]:
    """Rows in the view but not in the files, and the other way round (as multisets)."""
    files = f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
    skip = ["month"] * partitioned + AS_OF_QUERY.get(view, [])
    exclude = f"EXCLUDE ({', '.join(skip)})" if skip else ""
    exported = f"SELECT * {exclude} FROM {files}"
    own = f"SELECT * {''.join(f'EXCLUDE ({c})' for c in AS_OF_QUERY.get(view, []))} FROM main.{view}"
    missing = con.execute(f"SELECT count(*) FROM ({own} EXCEPT ALL {exported})").fetchall()[0][0]
    extra = con.execute(f"SELECT count(*) FROM ({exported} EXCEPT ALL {own})").fetchall()[0][0]
    return missing, extra


def test_parquet_round_trip_equals_every_view(collected_warehouse, tmp_path):
    result = export_job.export(collected_warehouse, tmp_path / "out")
    assert result.ok and [v.view for v in result.views] == _views(collected_warehouse)
    con = open_reader(collected_warehouse)  # the export's clock: views using now() agree
    try:
        for item in result.views:
            folder = tmp_path / "out" / item.view
            assert _differences(con, item.view, folder, bool(item.partitioned_by)) == (0, 0)
            count = con.execute(f"SELECT count(*) FROM main.{item.view}").fetchall()[0][0]
            assert item.rows == count
            view_types = con.execute(f"DESCRIBE main.{item.view}").fetchall()
            file_types = con.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = false)"
            ).fetchall()
            assert [r[:2] for r in file_types] == [r[:2] for r in view_types], item.view
        assert {v.view for v in result.views if v.partitioned_by} == {"releases", "release_files"}
    finally:
        con.close()


def test_large_views_are_split_by_month_in_hive_layout(collected_warehouse, tmp_path):
    export_job.export(collected_warehouse, tmp_path, views=["releases", "frameworks"])
    months = sorted(p.name for p in (tmp_path / "releases").iterdir())
    assert "month=2020-01" in months and "month=__HIVE_DEFAULT_PARTITION__" not in months[:-1]
    assert [p.name for p in (tmp_path / "frameworks").iterdir()] == ["data_0.parquet"]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    wrong = con.execute(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/releases/**/*.parquet', "
        "hive_partitioning = true) WHERE month <> strftime(released_at, '%Y-%m')").fetchall()
    assert wrong == [(0,)]
    # pandas (pyarrow datasets) reads the same folder, month column included
    frame = pd.read_parquet(tmp_path / "releases", partitioning=pyarrow.dataset.partitioning(
        flavor="hive"))  # as docs/export.md shows: the default infers dictionaries, which NULLs break
    assert len(frame) == export_job.export(collected_warehouse, tmp_path / "again",
                                           views=["releases"]).views[0].rows
    assert "month" in frame.columns


def test_csv_export_reads_back(collected_warehouse, tmp_path):
    result = export_job.export(collected_warehouse, tmp_path, fmt="csv",
                               views=["frameworks", "releases"])
    con = duckdb.connect()
    frameworks = con.execute(
        f"SELECT framework, name, github FROM read_csv('{tmp_path}/frameworks/data_0.csv') "
        "WHERE framework = 'pytorch'").fetchall()
    assert frameworks == [("pytorch", "PyTorch", "[pytorch/pytorch]")]
    rows = con.execute(f"SELECT count(*) FROM read_csv('{tmp_path}/releases/*/*.csv', "
                       "hive_partitioning = true)").fetchall()[0][0]
    assert rows == result.views[1].rows


def test_manifest_describes_every_column(collected_warehouse, tmp_path):
    export_job.export(collected_warehouse, tmp_path, views=["releases"])
    export_job.export(collected_warehouse, tmp_path, views=["frameworks"])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["format"] == "parquet" and set(manifest["views"]) == {"releases", "frameworks"}
    releases = manifest["views"]["releases"]
    assert releases["partitioned_by"] == "month" and releases["month_from"] == "released_at"
    assert releases["columns"][0] == {"name": "framework", "type": "VARCHAR",
                                      "comment": "Registry id of the framework."}


def test_re_export_replaces_and_a_failed_view_keeps_the_old_one(collected_warehouse, tmp_path,
                                                                 monkeypatch):
    export_job.export(collected_warehouse, tmp_path, views=["frameworks", "packages"])
    before = (tmp_path / "packages" / "data_0.parquet").read_bytes()
    real_copy = export_job._copy

    def broken(con, view, tmp, fmt, month_from):
        if view == "packages":
            raise duckdb.IOException("IO Error: No space left on device")
        return real_copy(con, view, tmp, fmt, month_from)

    monkeypatch.setattr(export_job, "_copy", broken)
    result = export_job.export(collected_warehouse, tmp_path, views=["frameworks", "packages"])
    assert not result.ok and "1 failed" in result.summary()
    assert (tmp_path / "packages" / "data_0.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frameworks", "manifest.json", "packages"]


@pytest.mark.parametrize(("args", "code", "text"), [
    (["--view", "nosuch"], 2, "unknown view nosuch"),
    (["--format", "xlsx"], 2, "unknown format"),
])
def test_cli_usage_errors(collected_warehouse, tmp_path, args, code, text):
    result = runner.invoke(app, ["export", str(tmp_path / "x"), "--db", str(collected_warehouse),
                                 *args])
    assert result.exit_code == code and text in result.output


def test_cli_refuses_mixing_formats_and_foreign_folders(collected_warehouse, tmp_path):
    base = ["--db", str(collected_warehouse), "--view", "frameworks"]
    ok = runner.invoke(app, ["export", str(tmp_path / "x"), *base])
    assert ok.exit_code == 0 and "exported 1 views, 14 rows in 1 parquet files" in ok.output
    mixed = runner.invoke(app, ["export", str(tmp_path / "x"), "--format", "csv", *base])
    assert mixed.exit_code == 2 and "holds a parquet export" in mixed.output
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    foreign = runner.invoke(app, ["export", str(tmp_path / "mine"), *base])
    assert foreign.exit_code == 2 and "not empty" in foreign.output
