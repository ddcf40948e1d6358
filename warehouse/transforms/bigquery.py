"""BigQuery answers (as landed in raw.items) -> rows of core.pypi_downloads.

One landed payload is one UTC day of `bigquery-public-data.pypi.file_downloads` for every tracked
package: `{"day", "packages", "sql", "bytes_estimate", "result": {"schema": {"fields": [...]},
"rows": [{"f": [{"v": ...}]}]}}` (the REST API's shape; INT64 values are JSON strings). Columns:
package, dimension (total, version, python, system, installer, ci), category, downloads. The
answer replaces that day for each of its packages and dimensions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd

from warehouse.transforms import downloads as d

RANGE_COLUMN = d.RANGE_COLUMN
SOURCE = "bigquery"
SNAPSHOT_SCOPE: dict[str, str] = {}
DIMENSIONS = ("total", "version", "python", "system", "installer", "ci")


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    rows: list[tuple] = []
    versions: list[tuple[str, str]] = []
    for item in items:
        when = d.day(item.payload["day"])
        for record in records(item.payload["result"]):
            key = d.package_key(record["package"])
            value = d.category(record["category"])
            rows.append((key, record["dimension"], when, value, SOURCE, d.count(record["downloads"])))
            if record["dimension"] == "version":
                versions.append((key, value))
    return d.frames(rows, versions)


def replaced_ranges(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    ranges = []
    for item in items:
        when = d.day(item.payload["day"])
        ranges += [(SOURCE, d.package_key(p), dim, when, when)
                   for p in item.payload["packages"] for dim in DIMENSIONS]
    return {d.TABLE: d.ranges_frame(ranges)}


def records(result: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Rows of a BigQuery REST answer (`rows[].f[].v`) as dicts keyed by the schema's field names."""
    names = [field["name"] for field in result["schema"]["fields"]]
    for row in result.get("rows") or []:
        yield dict(zip(names, (cell.get("v") for cell in row["f"]), strict=True))
