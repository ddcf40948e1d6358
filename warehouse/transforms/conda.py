"""Anaconda package-data month digests (as landed in raw.items) -> core.conda_downloads_monthly.

One payload holds every tracked row of its month, so rows of that month missing from a newer
payload (a re-published file) get `removed_at`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

COLUMNS = ["month", "data_source", "pkg_name", "pkg_version", "pkg_platform", "pkg_python",
           "downloads", "removed_at"]
SNAPSHOT_SCOPE = {"core.conda_downloads_monthly": "month"}


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    rows = []
    for item in items:
        names = item.payload["columns"]
        for values in item.payload["rows"]:
            row = dict(zip(names, values, strict=True))
            rows.append({"month": item.key, **{c: row[c] for c in COLUMNS[1:7]}, "removed_at": None})
    return {"core.conda_downloads_monthly": pd.DataFrame(rows, columns=COLUMNS)}
