"""conda collector: monthly downloads of the registry's conda names, from Anaconda's public package
data (https://github.com/ContinuumIO/anaconda-package-data).

Anaconda publishes one Parquet file per month, `<url>/conda/monthly/<YYYY>/<YYYY-MM>.parquet`, some
days after the month ends, with one row per (data source, package, version, platform, Python) and
its download count; data sources are the Anaconda distribution's default channels (`anaconda`),
`conda-forge` and `bioconda` (vendor channels such as `pytorch` or `nvidia` are not covered). The
collector downloads each month's file through the HTTP client (retries and timeouts as everywhere),
keeps it in DLTRENDS_CONDA_CACHE, and reads it locally with DuckDB, keeping only the registry's
conda names. A month already read is asked for again with its ETag: an unchanged file answers 304
and costs nothing. If the registry's conda names changed since, the kept file is read again
without downloading it.

An item is a month (`YYYY-MM`) from DLTRENDS_CONDA_SINCE to last month. The newest month is
usually not published yet for the first days of a month: it is deferred, not failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, completed, utcnow
from collectors.common import failed, make_client, month_range, payload_bytes, stop_if_unreachable
from collectors.http import HttpClient, HttpError
from dltrends.registry import Registry
from dltrends.settings import Settings

NAME = "conda"
# Item cursor: packages
MONTHLY = Stream(name="monthly", table="core.conda_downloads_monthly",
                 primary_key=("month", "data_source", "pkg_name", "pkg_version", "pkg_platform",
                              "pkg_python"))
STREAMS = {MONTHLY.name: MONTHLY}
COLUMNS = ("data_source", "pkg_name", "pkg_version", "pkg_platform", "pkg_python", "downloads")
_REQUIRED = {"data_source", "pkg_name", "pkg_version", "pkg_platform", "pkg_python", "counts"}
_READ = """
SELECT coalesce(CAST(data_source AS VARCHAR), ''), CAST(pkg_name AS VARCHAR),
       coalesce(CAST(pkg_version AS VARCHAR), ''), coalesce(CAST(pkg_platform AS VARCHAR), ''),
       coalesce(CAST(pkg_python AS VARCHAR), ''), CAST(sum(counts) AS BIGINT)
FROM read_parquet(?)
WHERE pkg_name IN (SELECT unnest(?::VARCHAR[]))
GROUP BY ALL ORDER BY ALL
"""


def conda_names(registry: Registry | None) -> list[str]:
    """Every conda name in the registry, whatever --framework selects: a month file is read for
    all of them, so its rows are complete and need reading again only when the registry changes."""
    return registry.values("conda") if registry is not None else []


class CondaCollector(Collector):
    """Downloads (or revalidates) monthly files and reads the tracked packages' rows."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, cache: Path, packages: Sequence[str],
                 concurrency: int = 2):
        self.client = client
        self.cache = cache
        self.packages = sorted(set(packages))
        self.concurrency = concurrency
        self.digest = hashlib.sha256("\n".join(self.packages).encode()).hexdigest()[:16]

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> CondaCollector:
        sleep = inputs.sleep
        # Monthly files are large: a few downloads at a time keep memory and bandwidth polite.
        workers = min(settings.concurrency, 2)
        return cls(make_client(settings, settings.conda_url, sleep, pool_size=workers),
                   settings.conda_cache_dir, conda_names(inputs.registry), workers)

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        """One RawItem per month."""
        if stream is not MONTHLY:
            raise ValueError(f"conda has no stream {stream.name!r}")
        months = list(items)
        newest = max(months, default="")
        yield from completed(
            lambda m: self.fetch_one(m, state.get(m, ItemState()), m == newest), months,
            self.concurrency)

    def fetch_one(self, month: str, previous: ItemState, newest: bool = False) -> RawItem:
        item = RawItem(NAME, MONTHLY.name, month, utcnow(), "unchanged", cursor=previous.cursor,
                       etag=previous.etag)
        path = self.cache / f"{month}.parquet"
        etag = previous.etag if path.exists() or previous.cursor == self.digest else None
        try:
            response = self.client.download(month_path(month), path, etag=etag)
        except HttpError as exc:
            stop_if_unreachable(exc)
            if exc.status in (403, 404) and newest:  # S3 answers 403 for a missing key
                return failed(item, f"not published yet ({exc})", "deferred")
            return failed(item, f"no file for {month}: {exc}" if exc.status in (403, 404)
                          else str(exc))
        if response.status_code == 304 and previous.cursor == self.digest:
            return item
        if response.status_code == 200:
            item.etag = response.headers.get("ETag")
        try:
            rows = read_month(path, self.packages)
        except (duckdb.Error, ValueError, OSError) as exc:
            return failed(item, f"cannot read {path.name}: {exc}")
        item.status, item.cursor = "new", self.digest
        item.payload = {"month": month, "file": month_path(month), "packages": self.packages,
                        "columns": list(COLUMNS), "rows": rows}
        item.meta["bytes"] = payload_bytes(item.payload)
        return item


def month_path(month: str) -> str:
    return f"/conda/monthly/{month[:4]}/{month}.parquet"


def months(since: str, today: dt.date) -> list[str]:
    """'YYYY-MM' from `since` to the month before `today` (the current month is never complete)."""
    return month_range(since, f"{today.replace(day=1) - dt.timedelta(days=1):%Y-%m}")


def read_month(path: Path, packages: Sequence[str]) -> list[list[Any]]:
    """The tracked packages' rows of one monthly file, summed over the file's time bins."""
    con = duckdb.connect()  # in memory: only reads the local Parquet file
    try:
        columns = {r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)",
                                             [str(path)]).fetchall()}
        if missing := _REQUIRED - columns:
            raise ValueError(f"the file has no column(s) {', '.join(sorted(missing))} "
                             f"(found {', '.join(sorted(columns))})")
        return [list(r) for r in con.execute(_READ, [str(path), list(packages)]).fetchall()]
    finally:
        con.close()
