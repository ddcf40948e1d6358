"""StackExchange tag info (as landed in raw.items) -> rows of core.stackoverflow_tags_daily."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from warehouse.transforms.signals_common import day

COLUMNS = ["tag", "snapshot_date", "fetched_at", "question_count", "has_synonyms",
           "is_moderator_only", "is_required"]
SNAPSHOT_SCOPE: dict[str, str] = {}


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    rows = []
    for item in items:
        info = item.payload["info"]
        rows.append({
            "tag": item.key,
            "snapshot_date": day(item.payload.get("snapshot_date")) or item.fetched_at.date(),
            "fetched_at": item.fetched_at,
            "question_count": info["count"],
            "has_synonyms": info.get("has_synonyms"),
            "is_moderator_only": info.get("is_moderator_only"),
            "is_required": info.get("is_required"),
        })
    return {"core.stackoverflow_tags_daily": pd.DataFrame(rows, columns=COLUMNS)}
