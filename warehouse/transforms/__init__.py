"""Raw payload -> typed rows, one module per (source, stream).

Each module offers `transform(items) -> {table: DataFrame}` and `SNAPSHOT_SCOPE`: for tables where
one payload is the complete list for its item (a PyPI project lists all its releases), the column
that scopes the snapshot; rows of that item missing from a new payload get `removed_at` set.
Transforms read only the landed payload, so `raw.items` can rebuild every typed table.
"""

from types import ModuleType

from warehouse.transforms import conda, hf, npm, osv_advisories, osv_queries, pypi, stackoverflow

TRANSFORMS: dict[tuple[str, str], ModuleType] = {
    ("pypi", "projects"): pypi,
    # Issue 5: adoption and health signals.
    ("conda", "monthly"): conda,
    ("hf", "libraries"): hf,
    ("stackoverflow", "tags"): stackoverflow,
    ("npm", "downloads"): npm,
    ("osv", "queries"): osv_queries,
    ("osv", "advisories"): osv_advisories,
}
