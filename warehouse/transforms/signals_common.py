"""Small parsers the signal transforms share (timestamps and dates from API payloads)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def timestamp(text: Any) -> dt.datetime | None:
    """An ISO 8601 time from an API ('2023-03-14T05:47:39.989396Z') as an aware UTC datetime."""
    if not isinstance(text, str) or not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)


def day(text: Any) -> dt.date | None:
    """A 'YYYY-MM-DD' date, None when absent or malformed."""
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None
