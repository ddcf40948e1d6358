"""npm download ranges (as landed in raw.items) -> rows of core.npm_downloads_daily."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from warehouse.transforms.signals_common import day

COLUMNS = ["package", "day", "downloads"]
SNAPSHOT_SCOPE: dict[str, str] = {}


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    rows = []
    for item in items:
        for answer in item.payload["ranges"]:
            for entry in answer.get("downloads") or []:
                when = day(entry.get("day"))
                count = entry.get("downloads")
                if when is not None and isinstance(count, int):
                    rows.append({"package": item.key, "day": when, "downloads": count})
    return {"core.npm_downloads_daily": pd.DataFrame(rows, columns=COLUMNS)}
