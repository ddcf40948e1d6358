"""Queries of the SQL page: the schema browser (the user's own SQL runs in dashboard.console)."""

from __future__ import annotations

from dashboard.queries import Query


def view_columns() -> Query:
    """Every public view's columns with types and COMMENT texts, for the schema browser."""
    return Query(
        """
SELECT v.view_name, v.comment AS view_comment, c.column_name, c.data_type, c.comment
FROM duckdb_views() v
JOIN duckdb_columns() c ON c.schema_name = v.schema_name AND c.table_name = v.view_name
WHERE v.schema_name = 'main' AND NOT v.internal AND NOT v.temporary
ORDER BY v.view_name, c.column_index
"""
    )
