"""Hugging Face Hub library digests (as landed in raw.items) -> core.hf_library_daily and
core.hf_top_models_daily."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from warehouse.transforms.signals_common import day, timestamp

DAILY = ["library", "snapshot_date", "fetched_at", "models_count", "models_count_complete", "top_n",
         "top_n_models", "top_n_downloads", "top_n_likes", "listed_downloads"]
TOP = ["library", "snapshot_date", "rank", "model_id", "downloads", "likes", "pipeline_tag",
       "library_name", "created_at"]
SNAPSHOT_SCOPE: dict[str, str] = {}


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    daily, top = [], []
    for item in items:
        p = item.payload
        when = day(p.get("snapshot_date")) or item.fetched_at.date()
        daily.append({"library": item.key, "snapshot_date": when, "fetched_at": item.fetched_at,
                      **{c: p[c] for c in DAILY[3:]}})
        top.extend({
            "library": item.key, "snapshot_date": when, "rank": rank, "model_id": m["id"],
            "downloads": m["downloads"], "likes": m.get("likes"),
            "pipeline_tag": m.get("pipeline_tag"), "library_name": m.get("library_name"),
            "created_at": timestamp(m.get("createdAt")),
        } for rank, m in enumerate(p.get("top_models") or [], start=1))
    return {"core.hf_library_daily": pd.DataFrame(daily, columns=DAILY),
            "core.hf_top_models_daily": pd.DataFrame(top, columns=TOP)}
