"""ClickPy (ClickHouse) query answers (as landed in raw.items) -> rows of core.pypi_downloads.

A landed payload is the query with its bounds and ClickHouse's `FORMAT JSONCompact` answer:
`{"stream", "package", "start", "end", "sql", "result": {"meta": [{name, type}], "data": [[...]],
"rows": n}}`. 64-bit sums arrive as JSON strings. The answer replaces the days [start, end] of its
package and dimension. Streams: totals (with and without mirrors per day), version, python,
system, installer (per day) and country (per month: `day` is the month's first day).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
    rows: list[tuple] = []
    versions: list[tuple[str, str]] = []
    for item in items:
        key = item.payload["package"]
        for record in records(item.payload["result"]):
            if item.stream == "totals":
                when = d.day(record["date"])
                rows.append((key, "total", when, "with_mirrors", SOURCE,
                             d.count(record["with_mirrors"])))
                rows.append((key, "total", when, "without_mirrors", SOURCE,
                             d.count(record["without_mirrors"])))
                continue
            dimension, column = BREAKDOWNS[item.stream]
            value = d.category(record[column])
            when = d.day(record.get("date") or record["month"])
            rows.append((key, dimension, when, value, SOURCE, d.count(record["downloads"])))
            if dimension == "version":
                versions.append((key, value))
    return d.frames(rows, versions)


def replaced_ranges(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    ranges = [(SOURCE, i.payload["package"], DIMENSIONS[i.stream], d.day(i.payload["start"]),
               d.day(i.payload["end"])) for i in items]
    return {d.TABLE: d.ranges_frame(ranges)}


def records(result: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Rows of a JSONCompact answer as dicts keyed by the column names in its `meta`."""
    names = [column["name"] for column in result["meta"]]
    for values in result["data"]:
        yield dict(zip(names, values, strict=True))
