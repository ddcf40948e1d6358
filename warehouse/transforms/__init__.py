"""Raw payload -> typed rows, one module (or transform object) per (source, stream).

Each offers `transform(items) -> {table: DataFrame}` and `SNAPSHOT_SCOPE`: for tables where
one payload is the complete list for its item (a PyPI project lists all its releases), the column
that scopes the snapshot; rows of that item missing from a new payload get `removed_at` set.
Transforms read only the landed payload, so `raw.items` can rebuild every typed table.
"""

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import pandas as pd

from warehouse.transforms import github, github_history, pypi


class Transform(Protocol):
    SNAPSHOT_SCOPE: dict[str, str]
    transform: Callable[[Iterable[Any]], dict[str, pd.DataFrame]]


TRANSFORMS: dict[tuple[str, str], Transform] = {
    ("pypi", "projects"): pypi,
    ("github", "repos"): github.RepoSnapshots,
    ("github", "releases"): github.Releases,
    ("github", "rate_limit"): github.RateLimits,
    ("github-history", "commits"): github_history.AuthorMonths,
    ("github-history", "issue_counts"): github_history.IssueCounts,
    ("github-history", "issues"): github_history.Issues,
    ("github-history", "stars"): github_history.StarDays,
    ("github-history", "rate_limit"): github.RateLimits,
}
