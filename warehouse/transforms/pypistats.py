"""pypistats answers (as landed in raw.items) -> rows of core.pypi_downloads.

`/overall` gives both categories, with_mirrors and without_mirrors (the second is a subset of the
first: they are stored side by side, never added); `/python_minor` the Python version mix and
`/system` the OS mix, both without mirrors. Each answer replaces the days it spans.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from warehouse.transforms import downloads as d

RANGE_COLUMN = d.RANGE_COLUMN
SOURCE = "pypistats"
DIMENSIONS = {"overall": "total", "python_minor": "python", "system": "system"}
SNAPSHOT_SCOPE: dict[str, str] = {}


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    rows = []
    for item in items:
        dimension = DIMENSIONS[item.stream]
        for r in dated(item.payload):
            rows.append((item.key, dimension, d.day(r["date"]), d.category(r.get("category")),
                         SOURCE, d.count(r["downloads"])))
    return d.frames(rows, [])


def replaced_ranges(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    ranges = []
    for item in items:
        days = [d.day(r["date"]) for r in dated(item.payload)]
        if days:
            ranges.append((SOURCE, item.key, DIMENSIONS[item.stream], min(days), max(days)))
    return {d.TABLE: d.ranges_frame(ranges)}


def dated(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The daily rows of an answer (the collector refuses answers whose rows have no date)."""
    return [r for r in payload.get("data") or [] if isinstance(r, dict) and r.get("date")]
