"""Bulk ingest rows/s: the upsert write path on 1M rows vs executemany on 10k rows (one run)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warehouse.db import connect
from warehouse.store import upsert

DDL = """
CREATE SCHEMA core;
CREATE TABLE core.bench (
    package_key VARCHAR, filename VARCHAR, version VARCHAR, size_bytes BIGINT,
    uploaded_at TIMESTAMPTZ, yanked BOOLEAN, python_versions VARCHAR[],
    PRIMARY KEY (package_key, filename))
"""


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    """n synthetic release-file rows (perf only)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(n)
    return pd.DataFrame({
        "package_key": "pkg-" + (ids % 500).astype(str),
        "filename": "file-" + ids.astype(str) + ".whl",
        "version": (ids % 97).astype(str) + ".0",
        "size_bytes": rng.integers(1_000, 500_000_000, n),
        "uploaded_at": pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(ids % 100_000, "s"),
        "yanked": ids % 50 == 0,
        "python_versions": [["3.10", "3.11"]] * n,
    })


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "ingest.duckdb")
        con.execute(DDL)
        million = synthetic(1_000_000)
        t_new, n_new = timed(lambda: upsert(con, "core.bench", million))
        t_same, n_same = timed(lambda: upsert(con, "core.bench", million))
        changed = million.assign(size_bytes=million["size_bytes"] + 1)
        t_changed, n_changed = timed(lambda: upsert(con, "core.bench", changed))

        con.execute("DELETE FROM core.bench")
        small = synthetic(10_000, seed=2)
        rows = [list(r) for r in small.itertuples(index=False)]
        sql = ("INSERT INTO core.bench VALUES (?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (package_key, filename) DO UPDATE SET size_bytes = excluded.size_bytes")
        t_many, _ = timed(lambda: con.executemany(sql, rows))
        con.close()
    print("bulk ingest (synthetic release-file rows)")
    for label, secs, written in (("1M new rows", t_new, n_new), ("same 1M again", t_same, n_same),
                                 ("1M changed rows", t_changed, n_changed)):
        print(f"  upsert, {label + ':':20s} {1e6 / secs:>12,.0f} rows/s  ({secs:.2f} s, {written:,} written)")
    print(f"  baseline executemany, 10k:  {1e4 / t_many:>12,.0f} rows/s  ({t_many:.2f} s)")
    print(f"  speed-up of the write path over executemany: {(1e6 / t_new) / (1e4 / t_many):,.0f}x")


if __name__ == "__main__":
    main()
