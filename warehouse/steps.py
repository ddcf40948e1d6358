"""Step detection over framework versions (asv-style): where did a benchmark get slower or faster?

For one series (one machine, framework package, benchmark case, mode and device) the points are
the versions in PEP 440 order, each with its median time and its noise (the IQR of its samples).
The series is cut into segments of constant level by optimal partitioning: each segment's cost
is the sum of |median - segment level| / noise over its points (the level is the segment's
median), and every extra segment costs `penalty` noise units, so a cut is only made where it
explains more than noise. A step between two segments is reported when the relative change of
level exceeds both the measured noise (the largest relative IQR of the two segments' points) and
`min_change` (asv's default threshold, 5 %): slower is a regression, faster an improvement.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import cmp_to_key

import duckdb
import pandas as pd
from packaging.version import InvalidVersion, Version

from warehouse.store import upsert

PENALTY = 3.0
MIN_CHANGE = 0.05
NOISE_FLOOR = 0.01  # relative noise assumed when a point's IQR is (nearly) zero


@dataclass(frozen=True)
class Point:
    version: str
    median: float
    iqr: float

    @property
    def noise(self) -> float:
        return max(self.iqr, NOISE_FLOOR * self.median)


@dataclass(frozen=True)
class Step:
    from_version: str
    to_version: str
    before: float
    after: float
    change: float
    noise: float
    kind: str


def version_order(a: str, b: str) -> int:
    """PEP 440 order; unparsable versions sort after the rest, alphabetically."""
    try:
        va, vb = Version(a), Version(b)
        return (va > vb) - (va < vb)
    except InvalidVersion:
        key_a, key_b = (_valid(a), a), (_valid(b), b)
        return (key_a > key_b) - (key_a < key_b)


def _valid(text: str) -> int:
    try:
        Version(text)
        return 0
    except InvalidVersion:
        return 1


def sort_points(points: list[Point]) -> list[Point]:
    return sorted(points, key=cmp_to_key(lambda p, q: version_order(p.version, q.version)))


def segment(points: list[Point], penalty: float = PENALTY) -> list[tuple[int, int]]:
    """Optimal partition of the points into (start, end) index ranges, end exclusive."""
    n = len(points)
    best = [0.0] + [float("inf")] * n
    cut = [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(end):
            cost = best[start] + _cost(points[start:end]) + penalty
            if cost < best[end]:
                best[end], cut[end] = cost, start
    ranges, end = [], n
    while end > 0:
        ranges.append((cut[end], end))
        end = cut[end]
    return ranges[::-1]


def _cost(points: list[Point]) -> float:
    level = statistics.median(p.median for p in points)
    return sum(abs(p.median - level) / p.noise for p in points)


def detect(points: list[Point], penalty: float = PENALTY, min_change: float = MIN_CHANGE) -> list[Step]:
    """The significant steps of a series (points in any order)."""
    points = sort_points(points)
    ranges = segment(points, penalty)
    steps = []
    for (a0, a1), (b0, b1) in zip(ranges, ranges[1:], strict=False):
        before = statistics.median(p.median for p in points[a0:a1])
        after = statistics.median(p.median for p in points[b0:b1])
        change = after / before - 1
        noise = max(p.noise / p.median for p in points[a0:b1])
        if abs(change) > max(noise, min_change):
            steps.append(Step(points[a1 - 1].version, points[b0].version, before, after, change, noise,
                              "regression" if change > 0 else "improvement"))
    return steps


SERIES = ["machine_id", "framework", "package", "case_key", "mode", "device"]


def refresh(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute core.bench_steps from every successful result; returns rows changed."""
    rows = con.execute(
        """
        SELECT r.machine_id, e.framework, e.package, b.case_key, b.mode, b.device, b.benchmark,
               e.version, median(b.median) AS median,
               greatest(max(b.iqr), max(b.median) - min(b.median)) AS iqr
        FROM core.bench_results b
        JOIN core.bench_envs e USING (run_id, spec)
        JOIN core.bench_runs r USING (run_id)
        WHERE b.status = 'ok' AND b.median > 0 AND e.version IS NOT NULL
        GROUP BY ALL
        """
    ).df()
    found = []
    for key, group in rows.groupby(SERIES, sort=False):
        points = [Point(v, m, i) for v, m, i in zip(group["version"], group["median"], group["iqr"],
                                                      strict=True)]
        for step in detect(points):
            found.append(dict(zip(SERIES, key, strict=True)) | {
                "to_version": step.to_version, "benchmark": group["benchmark"].iloc[0],
                "from_version": step.from_version, "before_median": step.before,
                "after_median": step.after, "change": step.change, "noise": step.noise,
                "kind": step.kind, "versions": len(points)})
    columns = SERIES + ["to_version", "benchmark", "from_version", "before_median", "after_median",
                        "change", "noise", "kind", "versions"]
    frame = pd.DataFrame(found, columns=columns)
    stale = _delete_stale(con, frame)
    return upsert(con, "core.bench_steps", frame) + stale


def _delete_stale(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> int:
    keys = SERIES + ["to_version"]
    con.register("_steps_now", frame[keys])
    try:
        match = " AND ".join(f"n.{c} = s.{c}" for c in keys)
        return len(con.execute(
            f"DELETE FROM core.bench_steps s WHERE NOT EXISTS (SELECT 1 FROM _steps_now n WHERE {match}) "
            "RETURNING 1").fetchall())
    finally:
        con.unregister("_steps_now")
