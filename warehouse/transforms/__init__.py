"""Raw payload -> typed rows, one module (or transform object) per (source, stream).

Each offers `transform(items) -> {table: DataFrame}` and `SNAPSHOT_SCOPE`: for tables where
one payload is the complete list for its item (a PyPI project lists all its releases), the column
that scopes the snapshot; rows of that item missing from a new payload get `removed_at` set.
A module may also offer `after_load(con) -> rows changed`, run once per saved batch, for tables
derived across items (steps over versions, framework attribution).
A module may also offer `replaced_ranges(items) -> {table: ranges}` and `RANGE_COLUMN`: the spans
(e.g. days) each payload covers, which it replaces: rows inside a span that the payload no longer
lists are deleted (download counts, `warehouse.load.delete_unlisted`).
Transforms read only the landed payload, so `raw.items` can rebuild every typed table.
"""

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import pandas as pd

from warehouse.transforms import (
    bench,
    bigquery,
    clickpy,
    conda,
    github,
    github_history,
    hf,
    mlperf,
    npm,
    osv_advisories,
    osv_queries,
    pypi,
    pypistats,
    stackoverflow,
)


class Transform(Protocol):
    SNAPSHOT_SCOPE: dict[str, str]
    transform: Callable[[Iterable[Any]], dict[str, pd.DataFrame]]


TRANSFORMS: dict[tuple[str, str], Transform] = {
    ("pypi", "projects"): pypi,
    # Adoption and health signals.
    ("conda", "monthly"): conda,
    ("hf", "libraries"): hf,
    ("stackoverflow", "tags"): stackoverflow,
    ("npm", "downloads"): npm,
    ("osv", "queries"): osv_queries,
    ("osv", "advisories"): osv_advisories,
    # Benchmarks and MLPerf.
    ("bench", "results"): bench,
    ("mlperf", "rounds"): mlperf,
    # PyPI downloads.
    **{("pypistats", stream): pypistats for stream in pypistats.DIMENSIONS},
    **{("clickpy", stream): clickpy for stream in clickpy.DIMENSIONS},
    ("bigquery", "daily"): bigquery,
    # GitHub activity.
    ("github", "repos"): github.RepoSnapshots,
    ("github", "releases"): github.Releases,
    ("github", "rate_limit"): github.RateLimits,
    ("github-history", "commits"): github_history.AuthorMonths,
    ("github-history", "issue_counts"): github_history.IssueCounts,
    ("github-history", "issues"): github_history.Issues,
    ("github-history", "stars"): github_history.StarDays,
    ("github-history", "rate_limit"): github.RateLimits,
}
