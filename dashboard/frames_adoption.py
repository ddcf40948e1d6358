"""Reshaping of Adoption query results (no I/O)."""

from __future__ import annotations

import pandas as pd


def top_categories(frame: pd.DataFrame, keep: int = 8, other: str = "other") -> pd.DataFrame:
    """Keep the `keep` largest categories (by total downloads), fold the rest into `other`."""
    if frame.empty:
        return frame
    largest = frame.groupby("category")["downloads"].sum().nlargest(keep).index
    out = frame.assign(category=frame["category"].where(frame["category"].isin(largest), other))
    out = out.groupby(["month", "category"], as_index=False).agg(downloads=("downloads", "sum"))
    out["share"] = out["downloads"] / out.groupby("month")["downloads"].transform("sum")
    return out


def default_since(coverage: pd.DataFrame, years: int = 2) -> str:
    """`years` before the latest day with data (ISO date), so the page opens on real data."""
    if coverage.empty:
        return "2016-01-01"
    last = pd.Timestamp(coverage["last_day"].max())
    return f"{last.year - years}-01-01"


def bucket_for(since: str, last_day: pd.Timestamp | None) -> str:
    """Daily points up to a year and a half of data, weekly means beyond (charts stay light)."""
    if last_day is None:
        return "day"
    return "day" if (last_day - pd.Timestamp(since)).days <= 550 else "week"
