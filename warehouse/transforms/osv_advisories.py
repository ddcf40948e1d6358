"""OSV advisory records (as landed in raw.items) -> core.osv_advisories and core.osv_affected.

Severity: the base score of the newest CVSS vector the record gives (v4 over v3 over v2), computed
with the `cvss` package, rated low / medium / high / critical; records without a vector keep the
rating their database gives (GitHub's `database_specific.severity`, MODERATE read as medium).
Fixed versions come from the ECOSYSTEM ranges of the record's PyPI entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError
from packaging.utils import canonicalize_name

from warehouse.transforms.signals_common import timestamp

ADVISORY = ["vuln_id", "summary", "aliases", "published", "modified", "withdrawn", "cvss_vector",
            "cvss_score", "severity", "severity_source"]
AFFECTED = ["vuln_id", "package_key", "fixed_versions", "introduced", "last_affected", "removed_at"]
SNAPSHOT_SCOPE = {"core.osv_affected": "vuln_id"}
_CVSS = {"CVSS_V4": (CVSS4, 4), "CVSS_V3": (CVSS3, 3), "CVSS_V2": (CVSS2, 2)}
_RATINGS = {"low": "low", "moderate": "medium", "medium": "medium", "high": "high",
            "critical": "critical"}


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    advisories, affected = [], []
    for item in items:
        record = item.payload
        advisories.append(advisory_row(record))
        affected.extend(affected_rows(record))
    return {"core.osv_advisories": pd.DataFrame(advisories, columns=ADVISORY),
            "core.osv_affected": pd.DataFrame(affected, columns=AFFECTED)}


def advisory_row(record: dict[str, Any]) -> dict[str, Any]:
    vector, score, rating, source = severity(record)
    return {
        "vuln_id": record["id"],
        "summary": (record.get("summary") or "").strip() or None,
        "aliases": sorted({str(a) for a in record.get("aliases") or []}),
        "published": timestamp(record.get("published")),
        "modified": timestamp(record.get("modified")),
        "withdrawn": timestamp(record.get("withdrawn")),
        "cvss_vector": vector,
        "cvss_score": score,
        "severity": rating,
        "severity_source": source,
    }


def severity(record: dict[str, Any]) -> tuple[str | None, float | None, str | None, str | None]:
    """(vector, base score, rating, where the rating came from) of an OSV record."""
    entries = list(record.get("severity") or [])
    for a in record.get("affected") or []:
        entries.extend(a.get("severity") or [])
    scored = []
    for entry in entries:
        kind, vector = entry.get("type"), entry.get("score")
        if kind in _CVSS and isinstance(vector, str):
            cls, version = _CVSS[kind]
            try:
                scored.append((version, vector, float(cls(vector).base_score)))
            except (CVSSError, ValueError, KeyError):
                continue
    if scored:
        version, vector, score = max(scored)
        return vector, score, _rating(score, version), f"cvss_v{version}"
    given = str((record.get("database_specific") or {}).get("severity") or "").lower()
    return None, None, _RATINGS.get(given), "database" if given in _RATINGS else None


def _rating(score: float, version: int) -> str | None:
    if version == 2:  # CVSS v2 has no critical band
        return "low" if score < 4 else "medium" if score < 7 else "high"
    if score == 0:
        return None
    return "low" if score < 4 else "medium" if score < 7 else "high" if score < 9 else "critical"


def affected_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per PyPI package the record names, with its ECOSYSTEM range events."""
    rows: dict[str, dict[str, Any]] = {}
    for entry in record.get("affected") or []:
        package = entry.get("package") or {}
        if package.get("ecosystem") != "PyPI" or not package.get("name"):
            continue
        key = canonicalize_name(package["name"])
        row = rows.setdefault(key, {"vuln_id": record["id"], "package_key": key, "fixed_versions": [],
                                    "introduced": [], "last_affected": [], "removed_at": None})
        for rng in entry.get("ranges") or []:
            if rng.get("type") != "ECOSYSTEM":
                continue
            for event in rng.get("events") or []:
                for kind, column in (("fixed", "fixed_versions"), ("introduced", "introduced"),
                                     ("last_affected", "last_affected")):
                    if event.get(kind) and event[kind] not in row[column]:
                        row[column].append(str(event[kind]))
    return list(rows.values())
