"""`dltrends export`: the public views as Parquet or CSV files, for DuckDB, pandas, Spark or Trino.

Layout under the target folder: one folder per view, so every reader (DuckDB, pandas, Spark,
a Trino table location) points at `<view>/` whatever its layout, and re-running replaces a view
whole:

    manifest.json                                  what was exported, when, from which file
    frameworks/data_0.parquet                      a small view: one file
    releases/month=2024-05/data_0.parquet          a large view: Hive-style partitions by month
    releases/month=__HIVE_DEFAULT_PARTITION__/...  rows whose month is NULL (Spark's convention)

The partition column `month` ('YYYY-MM') is derived from the view's time column in `PARTITIONS`
and lives in the folder names only, as Hive, Spark and Trino expect; readers add it back.
A view is written to a hidden temporary folder first and renamed into place, so a reader never
sees half a view and a failed export leaves the previous one intact.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from dltrends import __version__
from dltrends.catalogue import ViewDoc
from dltrends.errors import UsageError
from jobs.session import require_published
from warehouse.catalogue import catalogue
from warehouse.db import quote_ident, reader, sql_string

log = logging.getLogger(__name__)

FORMATS = ("parquet", "csv")
# Large views and the time column that splits them by month. A view that grows by the day
# (downloads, snapshots) adds its entry here; small views stay one file.
PARTITIONS = {"releases": "released_at", "release_files": "uploaded_at"}
MANIFEST = "manifest.json"


@dataclass
class ViewExport:
    """What one view's export wrote."""

    view: str
    path: str  # the view's folder, relative to the target folder
    rows: int = 0
    files: int = 0
    bytes: int = 0
    partitioned_by: str | None = None
    month_from: str | None = None
    comment: str = ""
    columns: list[dict] = field(default_factory=list)
    error: str | None = None


@dataclass
class ExportResult:
    target: Path
    fmt: str
    views: list[ViewExport]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(v.error is None for v in self.views)

    def summary(self) -> str:
        done = [v for v in self.views if v.error is None]
        failed = len(self.views) - len(done)
        return (f"exported {len(done)} views, {sum(v.rows for v in done):,} rows in "
                f"{sum(v.files for v in done)} {self.fmt} files "
                f"({sum(v.bytes for v in done) / 1e6:.1f} MB) to {self.target} in "
                f"{self.seconds:.1f} s" + (f"; {failed} failed" if failed else ""))


def export(db: Path, target: Path, fmt: str = "parquet", views: list[str] | None = None,
           partition: bool = True, on_view: Callable[[str], None] | None = None) -> ExportResult:
    """Write the chosen public views (all by default) of the published file `db` to `target`."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    require_published(db)
    _check_target(target, fmt)
    start = time.monotonic()
    target.mkdir(parents=True, exist_ok=True)
    done = []
    with reader(db) as con:
        docs = catalogue(con)
        selected = _select(list(docs), views)
        for view in selected:
            if on_view:
                on_view(view)
            done.append(_export_view(con, docs[view], target, fmt, PARTITIONS.get(view) if partition
                                     else None))
    _write_manifest(target, db, fmt, done)
    return ExportResult(target, fmt, done, time.monotonic() - start)


def _check_target(target: Path, fmt: str) -> None:
    """One format per folder: a partitioned view's folder name is the same in both."""
    manifest = target / MANIFEST
    if manifest.exists():
        try:
            other = json.loads(manifest.read_text(encoding="utf-8")).get("format")
        except (OSError, ValueError) as exc:
            raise UsageError(f"{manifest}: not a dltrends export manifest ({exc})") from None
        if other != fmt:
            raise UsageError(f"{target} holds a {other} export; write {fmt} to another folder")
    elif target.exists() and any(target.iterdir()):
        raise UsageError(f"{target} is not empty and holds no dltrends export ({MANIFEST}); "
                         "choose an empty or new folder")


def _select(available: list[str], wanted: list[str] | None) -> list[str]:
    if not wanted:
        return available
    unknown = [v for v in wanted if v not in available]
    if unknown:
        raise UsageError(f"unknown view {', '.join(unknown)}; public views: {', '.join(available)}")
    return list(dict.fromkeys(wanted))


def _export_view(con: duckdb.DuckDBPyConnection, doc: ViewDoc, target: Path, fmt: str,
                 month_from: str | None) -> ViewExport:
    view = doc.name
    result = ViewExport(view, view, partitioned_by="month" if month_from else None,
                        month_from=month_from, **_describe(doc))
    tmp = target / f".{view}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        written = _copy(con, view, tmp, fmt, month_from)
        result.rows = con.execute(f"SELECT count(*) FROM main.{quote_ident(view)}").fetchall()[0][0]
        files = [p for p in written.rglob("*") if p.is_file()]
        result.files, result.bytes = len(files), sum(p.stat().st_size for p in files)
        _replace(written, target / view)
    except (duckdb.Error, OSError) as exc:
        result.error = str(exc).splitlines()[0]
        log.error("export of %s failed: %s", view, result.error)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _copy(con: duckdb.DuckDBPyConnection, view: str, tmp: Path, fmt: str,
          month_from: str | None) -> Path:
    """COPY the view into the folder `tmp/<view>`, which becomes the export."""
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
    source = f"main.{quote_ident(view)}"
    out = tmp / view
    if month_from:
        select = f"SELECT *, strftime({quote_ident(month_from)}, '%Y-%m') AS month FROM {source}"
        con.execute(f"COPY ({select}) TO {sql_string(out)} ({options}, PARTITION_BY (month))")
    else:
        out.mkdir()
        con.execute(f"COPY (SELECT * FROM {source}) TO {sql_string(out / f'data_0.{fmt}')} "
                    f"({options})")
    return out


def _replace(new: Path, final: Path) -> None:
    """Swap the new export in for the old one: rename aside, rename in, delete the old."""
    old = final.with_name(f".{final.name}.old")
    _remove(old)
    if final.exists():
        final.rename(old)
    new.rename(final)
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _describe(doc: ViewDoc) -> dict:
    return {"comment": doc.description,
            "columns": [{"name": c.name, "type": c.type, "comment": c.description}
                        for c in doc.columns]}


def _write_manifest(target: Path, db: Path, fmt: str, done: list[ViewExport]) -> None:
    """manifest.json lists every view in the folder; views not exported this time keep their
    earlier entry."""
    path = target / MANIFEST
    views: dict[str, dict] = {}
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        views = old.get("views", {})
    views |= {v.view: asdict(v) for v in done if v.error is None}
    manifest = {
        "format": fmt,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dltrends_version": __version__,
        "source": str(db.resolve()),
        "views": dict(sorted(views.items())),
    }
    tmp = path.with_name(f".{MANIFEST}.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


