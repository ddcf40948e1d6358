"""Operations figures in one run: a soak of readers against a scheduler that writes every 2 s, the
kill -9 trial, and the file size over simulated daily cycles with and without compaction.

1. Soak: `dltrends schedule`'s real machinery (lock, log, one child `dltrends collect` per job)
   collects every 2 s from the local fake server, whose data changes every half second, while a
   reader process runs the dashboard's release-timeline query with a fresh read-only connection
   per query (as the dashboard does). Baseline: the same reader with no writer, in the same run.
2. kill -9 of `dltrends collect` at 20 seeded random moments (tests/support/ops.KillTrial), each
   over new data: what the published file held after each kill, then a rerun against a clean run.
3. Size: 100 simulated daily cycles (a new release for every package and yanked flags flipped on
   its first 20 releases, i.e. rows updated in place every day) without compaction (the
   baseline) and with automatic compaction at DLTRENDS_COMPACT_RATIO 2.0 and 1.5 (the default).

The data is the recorded PyPI fixtures served by the fake server (synthetic changes, perf only).
`--soak-minutes` shortens the soak for development; the figures in the closing note use 10.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

import warehouse.publish  # noqa: E402
from dashboard.queries import releases as queries  # noqa: E402
from dltrends.registry import load_registry  # noqa: E402
from jobs.collect.run import collect  # noqa: E402
from tests.support.db import snapshot  # noqa: E402
from tests.support.fakeserver import FakeServer  # noqa: E402
from tests.support.ops import SCHEDULER_EVERY_2S, GenerationalPypi, KillTrial, cli_env, consistent, dltrends  # noqa: E402
from tests.support.settings import TEST_REGISTRY, make_settings  # noqa: E402
from warehouse.compact import live_fraction  # noqa: E402

SOAK_FRAMEWORKS = ("tensorflow", "pytorch", "jax", "keras")  # 7 packages per job
READER = textwrap.dedent("""
    import json, os, sys, time
    path, stop, sql, params = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    sys.path.insert(0, sys.argv[5])
    from warehouse.db import reader  # the dashboard's way of reading the published file
    latencies, failures = [], []
    while not os.path.exists(stop):
        start = time.perf_counter()
        try:
            with reader(path) as con:
                rows = con.execute(sql, params).fetchall()
            if not rows:
                failures.append("empty result")
            latencies.append(time.perf_counter() - start)
        except Exception as exc:
            failures.append(repr(exc))
        time.sleep(0.05)
    print(json.dumps({"latencies": latencies, "failures": failures}))
""")


def args_for(frameworks: tuple[str, ...]) -> list[str]:
    return ["-s", "pypi", *(a for fw in frameworks for a in ("-f", fw))]


def read_for(db: Path, seconds: float) -> dict:
    """Run the dashboard-style reader for `seconds`; its latencies and failures."""
    q = queries.release_timeline(["tensorflow", "pytorch", "jax", "keras"],
                                 ["primary", "variant"], True, 2015)
    stop = db.with_name("stop-reader")
    stop.unlink(missing_ok=True)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop), q.sql,
                               json.dumps(list(q.params)), str(ROOT)], stdout=subprocess.PIPE,
                              text=True)
    time.sleep(seconds)
    stop.touch()
    return json.loads(reader.communicate(timeout=120)[0])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def soak(minutes: float) -> dict:
    with FakeServer() as server, tempfile.TemporaryDirectory() as tmp:
        GenerationalPypi(server, gen=lambda: int(time.time() * 2))
        db = Path(tmp) / "dl.duckdb"
        env = cli_env(db, server.url, DLTRENDS_CONCURRENCY="4")
        if dltrends("collect", *args_for(SOAK_FRAMEWORKS), env=env).wait(300) != 0:
            raise SystemExit("the first collect failed")
        quiet = read_for(db, min(60.0, minutes * 60 / 5))
        sched = subprocess.Popen([sys.executable, "-c", SCHEDULER_EVERY_2S, *args_for(SOAK_FRAMEWORKS)],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        busy = read_for(db, minutes * 60)
        sched.send_signal(signal.SIGTERM)
        sched.wait(30)
        log = db.with_name(db.name + ".log").read_text().splitlines()
        jobs = [line for line in log if " job pypi: " in line]
        state = consistent(db)
    return {"minutes": minutes, "quiet": quiet, "busy": busy, "jobs": jobs, "final": state}


def print_soak(result: dict) -> None:
    jobs = result["jobs"]
    ok = sum(" job pypi: ok (exit 0" in j for j in jobs)
    stopped = sum(" job pypi: stopped" in j for j in jobs)
    print(f"\n1. soak: {result['minutes']:g} min of a scheduler collecting every 2 s "
          f"({len(SOAK_FRAMEWORKS)} frameworks, a child process per job) and a dashboard-style reader")
    print(f"   writes: {len(jobs)} jobs: {ok} ok, {stopped} stopped by the final SIGTERM, "
          f"{len(jobs) - ok - stopped} failed")
    for label, data in (("no writer (baseline)", result["quiet"]), ("during writes", result["busy"])):
        lat = data["latencies"]
        print(f"   reads {label:21s}: {len(lat):6d} ok, {len(data['failures'])} failed; latency "
              f"p50 {pct(lat, 50):6.1f} ms, p99 {pct(lat, 99):6.1f} ms, max {max(lat) * 1000:6.1f} ms")
    for failure in (result["quiet"]["failures"] + result["busy"]["failures"])[:5]:
        print(f"   failure: {failure}")


def kills(points: int) -> None:
    print(f"\n2. kill -9 of a collect at {points} seeded random moments (tests/support/ops.KillTrial)")
    with FakeServer() as server, tempfile.TemporaryDirectory() as tmp:
        pypi = GenerationalPypi(server)
        db = Path(tmp) / "dl.duckdb"
        trial = KillTrial(db, server.url, pypi, points=points, log=lambda line: print("   " + line))
        trial.run()
        pypi.gen = points + 2
        assert dltrends("collect", *trial.args(), env=cli_env(db, server.url)).wait(300) == 0
        clean = Path(tmp) / "clean" / "dl.duckdb"
        assert dltrends("collect", *trial.args(), env=cli_env(clean, server.url)).wait(300) == 0
        views = ("releases", "release_files", "frameworks")
        same = snapshot(db, views) == snapshot(clean, views)
    phases = {p: sum(o.phase == p for o in trial.outcomes) for p in
              ("starting", "collecting", "publishing", "finished")}
    held = {h: sum(o.held == h for o in trial.outcomes) for h in ("old", "new")}
    print(f"   kills by phase: {phases}; published file held old data {held['old']} times, new data "
          f"{held['new']} times, a mix 0 times (each checked); rerun equals a clean run: {same}")


VARIANTS = (("no compaction", 0.0), ("ratio 2.0", 2.0), ("ratio 1.5 (default)", 1.5))


def sizes(cycles: int) -> None:
    print(f"\n3. file size over {cycles} simulated daily cycles (every package: a new release, "
          "and the yanked flag of its first 20 releases flipped); published file, live share")
    checkpoints = sorted({1, 10, 25, 50, 75, cycles} & set(range(1, cycles + 1)))
    rows = {}
    original = warehouse.publish.compact
    with FakeServer() as server, tempfile.TemporaryDirectory() as tmp:
        pypi = GenerationalPypi(server, churn=20)
        frameworks = ["tensorflow", "pytorch", "jax", "keras", "mxnet"]
        for label, ratio in VARIANTS:
            done: list[float] = []

            def counted(work: Path, done: list[float] = done) -> object:
                result = original(work)
                done.append(result.seconds)
                return result

            warehouse.publish.compact = counted
            settings = make_settings(Path(tmp) / f"variant{ratio}", server, compact_ratio=ratio,
                                     registry=TEST_REGISTRY, alert_rules=[])
            registry = load_registry(settings.registry)
            start, series = time.perf_counter(), {}
            for day in range(1, cycles + 1):
                pypi.gen = day
                collect(settings, registry, ["pypi"], frameworks)
                if day in checkpoints:
                    series[day] = (settings.db.stat().st_size, live_fraction(settings.work_path))
            rows[label] = (series, time.perf_counter() - start, done)
    warehouse.publish.compact = original
    print(f"   {'day':>5s}  " + "  ".join(f"{label:>24s}" for label in rows))
    for day in checkpoints:
        cells = []
        for series, _, _ in rows.values():
            size, live = series[day]
            cells.append(f"{size / 1e6:7.1f} MB ({live:4.0%} live)")
        print(f"   {day:5d}  " + "  ".join(f"{c:>24s}" for c in cells))
    for label, (_, secs, done) in rows.items():
        print(f"   {label}: {cycles} cycles in {secs:.0f} s; {len(done)} compactions, "
              f"{sum(done):.0f} s in all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak-minutes", type=float, default=10.0)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--only", choices=("soak", "kill", "size"), action="append")
    opts = parser.parse_args()
    only = set(opts.only or ("soak", "kill", "size"))
    os.environ.pop("DLTRENDS_DB", None)
    print(f"operations figures (machine: {os.cpu_count()} CPUs; DuckDB {duckdb.__version__})")
    if "soak" in only:
        print_soak(soak(opts.soak_minutes))
    if "kill" in only:
        kills(opts.kills)
    if "size" in only:
        sizes(opts.cycles)


if __name__ == "__main__":
    main()
