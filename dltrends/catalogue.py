"""The catalogue's types: what a reader learns about one public view.

`warehouse.catalogue` builds them: descriptions and columns from each view's `COMMENT ON`, example
queries from `warehouse/examples/`, the topic and the command that fills the view from its tables.
The SQL page, `dltrends sql --schema/--examples`, the Data page, the empty states, the report and
the docs generator all read these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnDoc:
    """One column of a public view: its name, DuckDB type and `COMMENT ON COLUMN` text."""

    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Example:
    """One example query: its topic, the view it shows, a title (its leading comment) and SQL."""

    topic: str
    view: str
    title: str
    sql: str


@dataclass(frozen=True)
class ViewDoc:
    """One public view: its `COMMENT ON VIEW` text, columns, example queries, topic, and the
    commands that fill it (any one of them will do; the first is the usual one)."""

    name: str
    description: str
    columns: tuple[ColumnDoc, ...]
    examples: tuple[Example, ...]
    topic: str
    fill: tuple[str, ...]
