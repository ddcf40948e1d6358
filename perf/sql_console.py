"""The SQL console's sandbox and the export, on a warehouse built from the recorded PyPI responses.

Figures, each against its naive baseline in the same run:
- cost of the sandbox per query (worker process, statement check, locked connection) against a
  plain read-only DuckDB connection in the same process (what `dltrends sql` did before);
- how long a runaway query (a 10^12-row cross join) runs before it is stopped, with a 2 s limit,
  against the same query in-process with no limit, cut off by this script after 20 s;
- `dltrends export` (Parquet, month partitions) against COPY of each view to one file;
- what refusing a 2 MB query costs the process that serves the page: before, the statement check
  parsed it there, unbounded (`sandbox.check` in-process, as `run` and the dashboard did); after,
  `sandbox.run` refuses it by length before any parse. Each in a fresh process (CPU time, wall
  time, peak RSS above a process that only imported the same modules), rounds interleaved; and a
  query at the 100 KB cap, parsed and run in the worker under its limits.
"""

from __future__ import annotations

import json
import statistics
import subprocess
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


# A VALUES list of about 2 MB: the shape that cost the most to parse (seconds of CPU, then
# DuckDB's OutOfMemoryException) among wide SELECT lists, IN lists and VALUES rows.
BIG = "'VALUES ' + ','.join(f'({i})' for i in range(260_000))"
AT_CAP = "'VALUES ' + ','.join(f'({i})' for i in range(13_850))"
PROBE = """
import json, resource, sys, time
from pathlib import Path
from warehouse import sandbox
sql = {text}
cpu, wall = time.process_time(), time.perf_counter()
try:
    {action}
    outcome = "ran"
except Exception as exc:
    outcome = getattr(exc, "code", type(exc).__name__)
print(json.dumps({{"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "bytes": len(sql.encode()), "outcome": outcome}}))
"""
ACTIONS = {
    "baseline (imports only)": "pass",
    "before: parse in-process": "sandbox.check(sql)",
    "after: refused by length": "sandbox.run(Path(sys.argv[1]), sql, sandbox.Limits())",
}


def _probe(db: Path, text: str, action: str) -> dict:
    code = PROBE.format(text=text, action=action)
    run = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True,
                         cwd=ROOT, timeout=600, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin"})
    return json.loads(run.stdout.strip().splitlines()[-1])


def refusal(db: Path, rounds: int = 3) -> None:
    samples: dict[str, list[dict]] = {name: [] for name in ACTIONS}
    for _ in range(rounds):  # interleaved, so drift on a shared machine hits all alike
        for name, action in ACTIONS.items():
            samples[name].append(_probe(db, BIG, action))
    base = statistics.median(s["rss"] for s in samples["baseline (imports only)"])
    for name, runs in samples.items():
        cpu, wall = [r["cpu"] for r in runs], [r["wall"] for r in runs]
        rss = statistics.median(r["rss"] for r in runs) - base
        print(f"2 MB query, {name:26s} cpu median {statistics.median(cpu):7.3f} s "
              f"(range {min(cpu):.3f}-{max(cpu):.3f}), wall {statistics.median(wall):7.3f} s, "
              f"+{rss:5.0f} MB peak RSS, {runs[0]['bytes']:,} bytes: {runs[0]['outcome']}")
    cap = [_probe(db, AT_CAP, ACTIONS["after: refused by length"]) for _ in range(rounds)]
    print(f"100 KB query at the cap, in the worker:      wall median "
          f"{statistics.median(r['wall'] for r in cap):.3f} s, parent +"
          f"{statistics.median(r['rss'] for r in cap) - base:.0f} MB, worker peak "
          f"{max(r['worker_rss'] for r in cap):.0f} MB, {cap[0]['bytes']:,} bytes: "
          f"{cap[0]['outcome']}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dltrends-perf-") as tmp:
        db = clean_run(Path(tmp), "warehouse")  # one collect of the recorded PyPI responses
        print(f"warehouse: {db.stat().st_size / 1e6:.1f} MB from the recorded PyPI responses")
        if "--refusal" not in sys.argv:
            per_query(db)
            runaway(db)
            exports(db, Path(tmp))
        refusal(db)


if __name__ == "__main__":
    main()
