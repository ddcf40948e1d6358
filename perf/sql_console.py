"""The SQL console's sandbox and the export, on a warehouse built from the recorded PyPI responses.

Figures, each against its naive baseline in the same run:
- cost of the sandbox per query (worker process, statement check, locked connection) against a
  plain read-only DuckDB connection in the same process (what `dltrends sql` did before);
- how long a runaway query (a 10^12-row cross join) runs before it is stopped, with a 2 s limit,
  against the same query in-process with no limit, cut off by this script after 20 s;
- `dltrends export` (Parquet, month partitions) against COPY of each view to one file.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobs.export import export  # noqa: E402
from tests.support.ops import clean_run  # noqa: E402
from warehouse import sandbox  # noqa: E402
from warehouse.db import public_views  # noqa: E402

QUERY = ("SELECT framework, year(released_at) AS year, count(*) AS releases FROM releases "
         "WHERE role = 'primary' GROUP BY ALL ORDER BY ALL")
RUNAWAY = "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = 7"
REPEATS = 15


def per_query(db: Path) -> None:
    limits = sandbox.Limits(seconds=30)
    sandboxed, plain = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        sandbox.run(db, QUERY, limits)
        sandboxed.append(time.perf_counter() - start)
        start = time.perf_counter()
        con = duckdb.connect(str(db), read_only=True)
        con.execute(QUERY).fetchall()
        con.close()
        plain.append(time.perf_counter() - start)
    print(f"query, sandboxed worker:         median {statistics.median(sandboxed) * 1e3:7.0f} ms "
          f"(min {min(sandboxed) * 1e3:.0f})")
    print(f"query, plain read-only (before): median {statistics.median(plain) * 1e3:7.0f} ms "
          f"(min {min(plain) * 1e3:.0f})")


def runaway(db: Path) -> None:
    start = time.perf_counter()
    try:
        sandbox.run(db, RUNAWAY, sandbox.Limits(seconds=2, threads=2))
    except sandbox.QueryStopped as exc:
        print(f"runaway, sandbox (limit 2 s):    stopped after {time.perf_counter() - start:.2f} s"
              f" ({exc.code})")
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET threads = 2")
    import threading

    timer = threading.Timer(20, con.interrupt)
    start = time.perf_counter()
    timer.start()
    try:
        con.execute(RUNAWAY).fetchall()
        outcome = "finished"
    except duckdb.InterruptException:
        outcome = "still running, interrupted by this script"
    timer.cancel()
    con.close()
    print(f"runaway, no limit (before):      {outcome} after {time.perf_counter() - start:.1f} s")


def exports(db: Path, folder: Path) -> None:
    start = time.perf_counter()
    result = export(db, folder / "export")
    print(f"export, dltrends export:         {time.perf_counter() - start:.2f} s, "
          f"{sum(v.files for v in result.views)} files")
    con = duckdb.connect(str(db), read_only=True)
    (folder / "plain").mkdir()
    start = time.perf_counter()
    for view in public_views(con):
        con.execute(f"COPY main.{view} TO '{folder / 'plain' / view}.parquet' (FORMAT parquet)")
    print(f"export, one COPY per view:       {time.perf_counter() - start:.2f} s")
    con.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dltrends-perf-") as tmp:
        db = clean_run(Path(tmp), "warehouse")  # one collect of the recorded PyPI responses
        print(f"warehouse: {db.stat().st_size / 1e6:.1f} MB from the recorded PyPI responses")
        per_query(db)
        runaway(db)
        exports(db, Path(tmp))


if __name__ == "__main__":
    main()
