"""Copy the registry into the warehouse, so views and the dashboard join on it from the file alone."""

from __future__ import annotations

import duckdb
import pandas as pd

from dltrends.registry import Registry
from warehouse.store import delete_missing, upsert


def save_registry(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    """Make core.frameworks, core.framework_events and core.packages equal the registry."""
    frameworks = pd.DataFrame([
        {"framework": fid, "name": fw.name, "status": fw.status, "successor": fw.successor or None,
         "homepage": fw.homepage or None, "hf_library": fw.hf_library or None,
         "github": fw.github, "conda": fw.conda, "npm": fw.npm,
         "stackoverflow_tags": fw.stackoverflow_tags, "aliases": fw.aliases,
         "registry_order": order, "deployment": fw.deployment,
         "deployment_source": fw.deployment_source or None}
        for order, (fid, fw) in enumerate(registry.frameworks.items())
    ])
    events = pd.DataFrame([
        {"framework": fid, "event_date": ev.date, "kind": ev.kind, "note": ev.note,
         "source": ev.source or None}
        for fid, fw in registry.frameworks.items() for ev in fw.events
    ], columns=["framework", "event_date", "kind", "note", "source"])
    packages = pd.DataFrame([
        {"package_key": p.key, "package": p.name, "framework": p.framework, "role": p.role,
         "counted": p.counted}
        for p in registry.packages(nightlies=True)
    ], columns=["package_key", "package", "framework", "role", "counted"])  # a registry may list none
    written = 0
    for table, frame in (("core.frameworks", frameworks), ("core.framework_events", events),
                         ("core.packages", packages)):
        written += upsert(con, table, frame) + delete_missing(con, table, frame)
    return written
