"""ClickPy (ClickHouse) query answers (as landed in raw.items) -> rows of core.pypi_downloads.

A landed payload is the query with its bounds and ClickHouse's `FORMAT JSONCompact` answer:
`{"stream", "package", "start", "end", "sql", "result": {"meta": [{name, type}], "data": [[...]],
"rows": n}}`. 64-bit sums arrive as JSON strings. The answer replaces the days [start, end] of its
package and dimension. Streams: totals (with and without mirrors per day), version, python,
system, installer (per day) and country (per month: `day` is the month's first day).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from warehouse.transforms import downloads as d

RANGE_COLUMN = d.RANGE_COLUMN
SOURCE = "clickpy"
SNAPSHOT_SCOPE: dict[str, str] = {}
# stream -> (dimension, column holding the category)
BREAKDOWNS = {
    "version": ("version", "version"),
    "python": ("python", "python_minor"),
    "system": ("system", "system"),
    "installer": ("installer", "installer"),
    "country": ("country", "country_code"),
}
DIMENSIONS = {"totals": "total"} | {s: dim for s, (dim, _) in BREAKDOWNS.items()}


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    """Rows built column-wise: a backfill payload holds tens of thousands of rows. Days and counts
    stay text here; the upsert casts them to DATE and BIGINT (a bad value fails the batch)."""
    frames, versions = [], []
    for item in items:
        key, table = item.payload["package"], answer_frame(item.payload["result"])
        if table.empty:
            continue
        if item.stream == "totals":
            long = table.melt(id_vars="date", value_vars=["with_mirrors", "without_mirrors"],
                              var_name="category", value_name="downloads")
            frames.append(long.assign(package_key=key, dimension="total", day=long["date"]))
            continue
        dimension, column = BREAKDOWNS[item.stream]
        when = table["date"] if "date" in table else table["month"]
        frames.append(pd.DataFrame({"package_key": key, "dimension": dimension, "day": when,
                                    "category": d.categories(table[column]),
                                    "downloads": table["downloads"]}))
        if dimension == "version":
            versions += [(key, v) for v in frames[-1]["category"].unique()]
    rows = (pd.concat(frames, ignore_index=True)[["package_key", "dimension", "day", "category",
                                                   "downloads"]].assign(source=SOURCE)
            if frames else d.rows_frame([]))
    return {d.TABLE: rows[d.COLUMNS], d.VERSIONS: d.version_frame(versions)}


def replaced_ranges(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    ranges = [(SOURCE, i.payload["package"], DIMENSIONS[i.stream], d.day(i.payload["start"]),
               d.day(i.payload["end"])) for i in items]
    return {d.TABLE: d.ranges_frame(ranges)}


def answer_frame(result: dict[str, Any]) -> pd.DataFrame:
    """A JSONCompact answer as a DataFrame with the column names of its `meta`."""
    return pd.DataFrame(result["data"], columns=[column["name"] for column in result["meta"]])
