"""Benchmark payloads (one per spec of a `dltrends bench run`) -> core.bench_runs, _envs, _results.

The statistics (median, quartiles, IQR, CV) are computed here from the raw samples in the payload,
so a change to them rebuilds every result from raw.items. A spec that failed before its cases ran
(bad spec, not installable, install or import failure) still gets one row per suite case, with
the spec's status and error, so every failure is visible per result. After each load the steps
over versions (core.bench_steps) are recomputed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import duckdb
import pandas as pd

from collectors.bench.measure import summarize
from warehouse import steps

TABLES = ("core.bench_runs", "core.bench_envs", "core.bench_results")
SNAPSHOT_SCOPE: dict[str, str] = {}


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    runs, envs, results = {}, [], []
    for item in items:
        payload = item.payload
        run = payload["run"]
        runs[run["run_id"]] = run_row(run)
        envs.append(env_row(run["run_id"], payload))
        results.extend(result_rows(run, payload))
    return {
        "core.bench_runs": pd.DataFrame(list(runs.values())),
        "core.bench_envs": pd.DataFrame(envs),
        "core.bench_results": pd.DataFrame(results),
    }


def after_load(con: duckdb.DuckDBPyConnection) -> int:
    """Steps over versions depend on every result: recompute them."""
    return steps.refresh(con)


def run_row(run: dict) -> dict:
    fp = run["fingerprint"]
    return {
        "run_id": run["run_id"], "started_at": pd.Timestamp(run["started_at"]),
        "dltrends_version": run.get("dltrends_version"), "suite": run["suite"], "device": run["device"],
        "threads": run.get("threads"), "budget_s": run.get("budget_s"),
        "case_timeout_s": run.get("case_timeout_s"), "installer": run.get("installer"),
        "machine_id": fp["machine_id"], "host_id": fp.get("host_id"), "cpu_model": fp.get("cpu_model"),
        "cpu_cores_logical": fp.get("cpu_cores_logical"),
        "cpu_cores_physical": fp.get("cpu_cores_physical"), "memory_bytes": fp.get("memory_bytes"),
        "gpus": list(fp.get("gpus") or []), "gpu_driver": fp.get("gpu_driver"), "os": fp.get("os"),
        "machine": fp.get("machine"), "python_version": fp.get("python_version"),
        "python_implementation": fp.get("python_implementation"),
        "blas_env": json.dumps(fp.get("blas_env") or {}, sort_keys=True),
    }


def env_row(run_id: str, payload: dict) -> dict:
    spec, env, build = payload["spec"], payload.get("env") or {}, payload.get("build") or {}
    return {
        "run_id": run_id, "spec": spec["text"], "adapter": spec.get("adapter"),
        "framework": spec.get("framework"), "package": spec.get("package"),
        "requirement": spec.get("requirement"), "version": build.get("version") or spec.get("version"),
        "status": payload["status"], "error": payload.get("error"), "env_key": env.get("key"),
        "env_cached": env.get("cached"), "installer": env.get("installer"),
        "install_s": env.get("install_s"), "env_bytes": env.get("bytes"),
        "requirements": list(env.get("requirements") or []),
        "constraints": list(env.get("constraints") or []),
        "packages": json.dumps(env.get("packages") or {}, sort_keys=True),
        "build": json.dumps(build, sort_keys=True, default=str),
        "build_device": build.get("device"),
        "build_cuda": None if build.get("cuda") in (None, False) else str(build.get("cuda")),
        "build_blas": build.get("blas"),
    }


def result_rows(run: dict, payload: dict) -> list[dict]:
    cases = {c["key"]: c for c in payload["cases"]}
    spec, build = payload["spec"], payload.get("build") or {}
    base = {"run_id": run["run_id"], "spec": spec["text"], "framework": spec.get("framework"),
            "version": build.get("version") or spec.get("version"),
            "device": build.get("device") or run["device"]}  # the NumPy reference stays on the CPU
    if not payload.get("results"):
        return [_row(base, case, {"mode": "-", "status": payload["status"], "error": payload.get("error")})
                for case in payload["cases"]]
    return [_row(base, cases[r["key"]], r) for r in payload["results"] if r["key"] in cases]


def _row(base: dict, case: dict, result: dict) -> dict:
    row = base | {
        "case_key": case["key"], "mode": result["mode"], "benchmark": case["benchmark"],
        "params": json.dumps(case["params"], sort_keys=True), "dtype": case.get("dtype"),
        "metric": case["metric"], "unit": case["unit"], "flops": case.get("flops"),
        "status": result["status"], "error": result.get("error"),
        "calls_per_sample": result.get("number"), "samples": list(result.get("samples") or []),
    }
    if result["status"] == "ok" and row["samples"]:
        stats = summarize(row["samples"])
        row |= {"n": stats.n, "median": stats.median, "q1": stats.q1, "q3": stats.q3, "iqr": stats.iqr,
                "mean": stats.mean, "stdev": stats.stdev, "cv": stats.cv, "noisy": stats.noisy,
                "min": stats.min, "max": stats.max}
    return row
