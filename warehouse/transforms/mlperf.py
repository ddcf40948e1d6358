"""MLPerf round payloads -> core.mlperf_systems, core.mlperf_runs, core.mlperf_results.

Training scores follow MLCommons' result summarizer (mlcommons/logging,
mlperf_logging/result_summarizer): each run's time to train is MLLOG run_stop - run_start in
minutes; a run without a successful run_stop did not converge and counts as dropped; the score
drops the fastest and the slowest runs (4 of each for unet3d, which submits 40) and averages the
rest, times the review committee's `scaling.json` factor. Summary files (training summary.json,
inference summary.csv) add their rows as they are. After each load the framework attribution is
recomputed (warehouse.mlperf_attribution), since it also reads the registry's aliases.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

import duckdb
import pandas as pd

from warehouse import mlperf_attribution

TABLES = ("core.mlperf_systems", "core.mlperf_runs", "core.mlperf_results")
SNAPSHOT_SCOPE: dict[str, str] = {}
# Runs a submission must have, per benchmark (mlcommons/logging benchmark_meta.py and rcp_checker).
RUNS_REQUIRED = {"bert": 10, "dlrm": 5, "dlrm_dcnv2": 10, "gnmt": 10, "gpt3": 3, "maskrcnn": 5,
                 "minigo": 10, "resnet": 5, "ssd": 5, "retinanet": 5, "stable_diffusion": 10,
                 "transformer": 10, "ncf": 10, "rnnt": 10, "unet3d": 40, "gnn": 10, "rgat": 10,
                 "llama2_70b_lora": 10}
SUMMARY_COLUMNS = {"division", "availability", "submitter", "system", "number_of_nodes",
                   "host_processor_model_name", "host_processors_count", "accelerator_model_name",
                   "accelerators_count", "framework", "notes", "details_url", "code_url"}


def max_dropped(benchmark: str) -> int:
    return 4 if benchmark == "unet3d" else 1


def olympic_score(minutes: list[float], failed: int, benchmark: str) -> tuple[float | None, str | None]:
    """MLCommons' olympic average: (score, None) or (None, why there is none)."""
    drop = max_dropped(benchmark)
    if failed > drop:
        return None, f"{failed} runs did not converge; at most {drop} may be dropped"
    scores = sorted(minutes)
    countable = scores[drop:len(scores) - (drop - failed)]
    if not countable:
        return None, f"{len(scores)} converged run(s): too few to drop {drop} fastest and slowest"
    return sum(countable) / len(countable), None


def parse_log(text: str) -> dict:
    """The :::SYSJSON object and the kept MLLOG events of one result log."""
    out: dict[str, Any] = {"sysjson": None, "events": {}}
    for line in text.splitlines():
        if line.startswith(":::SYSJSON") and out["sysjson"] is None:
            out["sysjson"] = _json(line.removeprefix(":::SYSJSON"))
        elif line.startswith(":::MLLOG"):
            event = _json(line.removeprefix(":::MLLOG"))
            if isinstance(event, dict) and event.get("key") not in out["events"]:
                out["events"][event["key"]] = event
    return out


def run_row(round_: str, result: dict, run: dict) -> dict:
    log = parse_log(run["lines"])
    events, sysjson = log["events"], log["sysjson"] or {}
    start, stop = events.get("run_start"), events.get("run_stop")
    status = ((stop or {}).get("metadata") or {}).get("status") if stop else None
    converged = start is not None and stop is not None and status in (None, "success")
    return {
        "round": round_, "submitter": result["submitter"], "system": result["system"],
        "benchmark": result["benchmark"], "run_file": run["file"],
        "run_start": _ms(start), "run_stop": _ms(stop),
        "minutes": (stop["time_ms"] - start["time_ms"]) / 60000 if converged else None,
        "run_status": status if stop else "no run_stop",
        "division": sysjson.get("division") or (events.get("submission_division") or {}).get("value"),
        "platform": (events.get("submission_platform") or {}).get("value"),
        "sysjson_framework": sysjson.get("framework"),
    }


def result_row(suite: str, round_: str, commit: str, result: dict, runs: list[dict],
               system: dict | None) -> dict:
    minutes = [r["minutes"] for r in runs if r["minutes"] is not None]
    failed = len(runs) - len(minutes)
    score, note = olympic_score(minutes, failed, result["benchmark"])
    scaling = (_json(result["scaling"]) or {}).get("scaling_factor", 1.0) if result.get("scaling") else 1.0
    required = RUNS_REQUIRED.get(result["benchmark"])
    if required and len(runs) < required:
        note = "; ".join(filter(None, [note, f"{len(runs)} of the {required} runs the rules require"]))
    sysjson = next((r["sysjson_framework"] for r in runs if r["sysjson_framework"]), None)
    impl = mlperf_attribution.choose_implementation(result["system"], result.get("implementations") or {})
    return {
        "suite": suite, "round": round_, "submitter": result["submitter"], "system": result["system"],
        "benchmark": result["benchmark"], "scenario": "-", "score_source": "result_logs",
        "division": next((r["division"] for r in runs if r["division"]), None)
        or (system or {}).get("division"),
        "score": score * scaling if score is not None else None, "unit": "minutes",
        "runs_counted": len(minutes), "runs_failed": failed, "runs_required": required,
        "scaling_factor": scaling, "score_note": note, "sysjson_framework": sysjson,
        "implementation": impl,
        "implementation_children": (result.get("implementations") or {}).get(impl, []),
        "summary_framework": None, "path": result["path"], "commit": commit,
    }


def system_row(suite: str, round_: str, commit: str, entry: dict) -> dict | None:
    data = _json(entry["text"])
    if not isinstance(data, dict):
        return None
    parts = entry["path"].split("/")
    stack = data.get("other_software_stack")
    return {
        "suite": suite, "round": round_, "submitter": "/".join(parts[:-2]),
        "system": parts[-1].removesuffix(".json"), "division": data.get("division"),
        "system_name": _text(data.get("system_name")), "framework_text": _text(data.get("framework")),
        "framework_name": _text(data.get("framework_name")),
        "software_stack": json.dumps(stack) if stack is not None else None,
        "accelerator": _text(data.get("accelerator_model_name")),
        "accelerators_per_node": _int(data.get("accelerators_per_node")),
        "nodes": _int(data.get("number_of_nodes")),
        "host_processor": _text(data.get("host_processor_model_name")), "status": _text(data.get("status")),
        "path": entry["path"], "commit": commit,
    }


def summary_rows(suite: str, round_: str, commit: str, entry: dict) -> list[dict]:
    """Rows of a training summary.json (one column per benchmark, minutes) or an inference
    summary.csv (one row per model and scenario)."""
    base = {"suite": suite, "round": round_, "score_source": "summary", "path": entry["path"],
            "commit": commit, "runs_counted": None, "runs_failed": None, "runs_required": None,
            "scaling_factor": None, "score_note": None, "sysjson_framework": None,
            "implementation": None, "implementation_children": []}
    submitter = "/".join(entry["path"].split("/")[:-1])
    if entry["path"].endswith(".json"):
        rows = _json(entry["text"]) or []
        return [base | {"submitter": submitter, "system": str(r.get("system")),
                        "benchmark": bench, "scenario": "-", "division": r.get("division"),
                        "score": float(value), "unit": "minutes", "summary_framework": r.get("framework")}
                for r in rows if isinstance(r, dict)
                for bench, value in r.items()
                if bench not in SUMMARY_COLUMNS and isinstance(value, int | float)]
    out = []
    for r in csv.DictReader(io.StringIO(entry["text"])):
        value = _float(r.get("Result"))
        if value is None:
            continue
        out.append(base | {"submitter": submitter, "system": r.get("Platform") or r.get("SystemName"),
                           "benchmark": r.get("Model") or r.get("MlperfModel"),
                           "scenario": r.get("Scenario") or "-", "division": r.get("Division"),
                           "score": value, "unit": r.get("Units"),
                           "summary_framework": r.get("framework")})
    return out


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    systems, runs, results = [], [], []
    for item in items:
        p = item.payload
        by_key = {}
        for entry in p["systems"]:
            row = system_row(p["suite"], p["round"], p["commit"], entry)
            if row:
                systems.append(row)
                by_key[(row["submitter"], row["system"])] = row
        for result in p["results"]:
            rows = [run_row(p["round"], result, run) for run in result["runs"]]
            runs.extend(rows)
            if rows:
                results.append(result_row(p["suite"], p["round"], p["commit"], result, rows,
                                          by_key.get((result["submitter"], result["system"]))))
        for entry in p["summaries"]:
            results.extend(summary_rows(p["suite"], p["round"], p["commit"], entry))
    return {"core.mlperf_systems": pd.DataFrame(systems), "core.mlperf_runs": pd.DataFrame(runs),
            "core.mlperf_results": pd.DataFrame(results)}


def after_load(con: duckdb.DuckDBPyConnection) -> int:
    return mlperf_attribution.refresh(con)


def _ms(event: dict | None):
    return pd.Timestamp(event["time_ms"], unit="ms", tz="UTC") if event else None


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None
