"""Shared shape of download counts: rows of core.pypi_downloads and the day ranges they replace.

Every download source lands its answers in raw.items; its transform turns one answer into rows
(package, dimension, day, category, source, downloads) plus the ranges of days the answer covers.
A re-collected range replaces what was stored for it (`warehouse.load.delete_unlisted`), so a day
collected again is exactly what the latest answer says, never a sum of two answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

TABLE = "core.pypi_downloads"
VERSIONS = "core.download_versions"
RANGE_COLUMN = "day"
COLUMNS = ["package_key", "dimension", "day", "category", "source", "downloads"]
RANGE_COLUMNS = ["source", "package_key", "dimension", "lo", "hi"]
VERSION_COLUMNS = ["package_key", "version", "version_normalized", "version_error",
                   "is_prerelease", "minor_series"]
UNKNOWN = "unknown"
# pypistats' own definition of mirror traffic (pypistats.org tasks/pypi.py, MIRRORS); it also
# leaves out downloads with no installer, as `installer NOT IN (...)` drops NULLs in BigQuery.
MIRROR_INSTALLERS = ("bandersnatch", "z3c.pypimirror", "Artifactory", "devpi")


def category(value: Any) -> str:
    """A category as stored: the source's text, with null, '' and 'null' all as 'unknown'."""
    if value is None:
        return UNKNOWN
    text = str(value).strip()
    return UNKNOWN if text in ("", "null", "None") else text


def categories(values: pd.Series) -> pd.Series:
    """`category` for a whole column: null, '' and 'null' become 'unknown'."""
    text = values.astype("string").str.strip()
    return text.where(~(text.isna() | text.isin(["", "null", "None"])), UNKNOWN).astype(object)


def day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def count(value: Any) -> int:
    """A download count; ClickHouse and BigQuery send 64-bit integers as JSON strings."""
    return int(value)


def package_key(name: str) -> str:
    return canonicalize_name(name)


def rows_frame(rows: Iterable[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=COLUMNS)
    return frame.astype({"downloads": "int64"}) if not frame.empty else frame


def ranges_frame(rows: Iterable[tuple]) -> pd.DataFrame:
    """Ranges from (source, package_key, dimension, lo, hi) tuples; package_key comes first, the
    column the loader prunes stored row groups by."""
    frame = pd.DataFrame(list(rows), columns=RANGE_COLUMNS)
    return frame[["package_key", "source", "dimension", "lo", "hi"]]


def version_frame(pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """One row per distinct (package, version): raw string, PEP 440 form or the parse error."""
    out = []
    for key, version in sorted(set(pairs)):
        try:
            parsed = Version(version)
        except InvalidVersion:
            out.append((key, version, None, "not a valid PEP 440 version", None, None))
            continue
        minor = f"{parsed.major}.{parsed.minor}"
        out.append((key, version, str(parsed), None, parsed.is_prerelease, minor))
    return pd.DataFrame(out, columns=VERSION_COLUMNS)


def frames(rows: list[tuple], versions: list[tuple[str, str]]) -> dict[str, pd.DataFrame]:
    return {TABLE: rows_frame(rows), VERSIONS: version_frame(versions)}
