"""OSV querybatch answers (as landed in raw.items) -> core.osv_version_vulns.

One payload is OSV's complete answer for one (package, version), so advisories it no longer lists
for that version get `removed_at`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from packaging.utils import canonicalize_name

from warehouse.transforms.signals_common import timestamp

COLUMNS = ["query_key", "package_key", "version", "vuln_id", "modified", "removed_at"]
SNAPSHOT_SCOPE = {"core.osv_version_vulns": "query_key"}


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    rows = []
    for item in items:
        p = item.payload
        package = canonicalize_name(p["package"])
        rows.extend({"query_key": item.key, "package_key": package, "version": p["version"],
                     "vuln_id": v["id"], "modified": timestamp(v.get("modified")),
                     "removed_at": None} for v in p["vulns"])
    return {"core.osv_version_vulns": pd.DataFrame(rows, columns=COLUMNS)}
