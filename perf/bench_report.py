"""The benchmark figures of a `dltrends bench run`: every case per framework with its CV, relative to
the NumPy reference measured in the same run, the version sweep with the steps found, and each
environment's install time and disk use.

    python perf/bench_report.py [RESULTS.json]   # a file written by `dltrends bench run --output`

Without an argument it reports the recorded run in tests/fixtures/bench (a 2-core machine shared
with other work: read the CVs). To measure your own machine:

    dltrends bench run --threads 1 --spec onnxruntime==1.32.0 --spec torch==2.13.0 \\
        --spec tensorflow-cpu==2.21.0 --spec jax==0.10.2 --spec jax==0.9.2 --spec jax==0.8.3 \\
        --spec paddlepaddle==3.3.1 --spec mxnet==1.9.1 --output results.json
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collectors.bench.measure import summarize
from warehouse.steps import Point, detect

RECORDED = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "bench" / \
    "results_default_2cores.json.gz"


def load(path: Path) -> list[dict]:
    data = path.read_bytes()
    return json.loads(gzip.decompress(data) if path.suffix == ".gz" else data)


def medians(payload: dict) -> dict[tuple[str, str], tuple[float, float, int]]:
    out = {}
    for r in payload["results"]:
        if r["status"] == "ok":
            s = summarize(r["samples"])
            out[(r["key"], r["mode"])] = (s.median, s.cv, s.n)
    return out


def suite_table(payloads: list[dict]) -> None:
    reference = next(p for p in payloads if p["spec"].get("framework") == "numpy")
    ref = {k: v[0] for (k, _), v in medians(reference).items()}
    print("Suite: median ms (CV, n) and speed-up vs the NumPy reference "
          f"{reference['spec'].get('version')} (numpy ms / framework ms; > 1 is faster)")
    for p in payloads:
        print(f"\n  {p['spec']['text']} ({p['status']})" + (
            f": {p['error'].strip().splitlines()[-1]}" if p["status"] != "ok" else ""))
        for (key, mode), (median, cv, n) in medians(p).items():
            flag = "  noisy" if cv > 0.10 else ""
            speed = f"{ref[key] / median:6.2f}x" if key in ref else "   n/a"
            print(f"    {key:64s} {mode:10s} {median * 1e3:10.3f} ms  CV {cv:6.1%} n={n:<4d} {speed}{flag}")
        for r in p["results"]:
            if r["status"] != "ok":
                print(f"    {r['key']:64s} {r['mode']:10s} {r['status']}")


def sweep(payloads: list[dict]) -> None:
    by_package: dict[str, list[dict]] = {}
    for p in payloads:
        if p["status"] == "ok":
            by_package.setdefault(p["spec"]["package"], []).append(p)
    for package, group in by_package.items():
        if len(group) < 3:
            continue
        print(f"\nVersion sweep: {package} {', '.join(p['spec']['version'] for p in group)}")
        series: dict[tuple[str, str], list[Point]] = {}
        for p in group:
            for r in p["results"]:
                if r["status"] == "ok":
                    s = summarize(r["samples"])
                    series.setdefault((r["key"], r["mode"]), []).append(
                        Point(p["build"]["version"], s.median, s.iqr))
        for (key, mode), points in series.items():
            cells = "  ".join(f"{pt.version}: {pt.median * 1e3:9.3f} ms" for pt in points)
            steps = detect(points)
            found = "; ".join(f"{s.kind} {s.from_version}->{s.to_version} {s.change:+.0%} "
                              f"(noise {s.noise:.0%})" for s in steps) or "no step above the noise"
            print(f"    {key:64s} {mode:5s} {cells}  | {found}")


def environments(payloads: list[dict]) -> None:
    print("\nEnvironments (installer, first install time, size on disk)")
    for p in payloads:
        env = p.get("env")
        if env:
            print(f"    {p['spec']['text']:28s} {env['installer']:4s} {env['install_s']:7.1f} s "
                  f"{env['bytes'] / 1e6:9.0f} MB  ({len(env['packages'])} packages)")


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else RECORDED
    payloads = load(path)
    run = payloads[0]["run"]
    fp = run["fingerprint"]
    print(f"{path.name}: {run['started_at']}, {fp['cpu_model']}, {fp['cpu_cores_logical']} logical CPUs, "
          f"{fp['memory_bytes'] / 1e9:.0f} GB, {fp['os']}, Python {fp['python_version']}, "
          f"threads {run['threads']}, budget {run['budget_s']} s per case, BLAS env {fp['blas_env']}\n")
    suite_table(payloads)
    sweep(payloads)
    environments(payloads)


if __name__ == "__main__":
    main(sys.argv[1:])
