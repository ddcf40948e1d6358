"""The benchmark worker: runs inside one framework's isolated environment, driven by the runner.

Standard library only (plus the framework its adapter imports). Started as ``python worker.py
<runner pid>``, it dies with the runner (dltrends/lifeline.py, loaded by path) and stops at its
own CPU-time limit per case (`case_timeout_s` times the threads), so a killed `dltrends bench`
leaves no benchmark running. Reads one JSON request on stdin: ``{"adapter": path, "cases": [...],
"threads": n, "device": "cpu", "budget_s", "warmup_s", "min_repeats", "max_repeats",
"case_timeout_s", "skip": ["key|mode", ...]}`` and writes JSON lines on stdout:

- ``{"type": "setup", "build": {...}}`` once the framework is imported and threads are pinned, or
  ``{"type": "setup_failed", "error": ...}`` (then exits 3);
- ``{"type": "start", "key", "mode"}`` before each case, so the runner knows which case was
  running when it has to kill a worker that hangs or crashes;
- ``{"type": "result", "key", "mode", "status", "samples", "number", ...}`` after each case.

A case that raises is reported with status "error" and the traceback's last lines; an adapter
that cannot run a case (ONNX Runtime has no backward pass) raises NotImplementedError and the case
is reported "unsupported". The runner restarts the worker after a crash or timeout, skipping the
cases already reported.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path


def load_file(name: str, path: Path):
    """Load a module from a file without putting its folder on sys.path (where names like
    `measure` could shadow a framework's own modules)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


measure = load_file("dltrends_bench_measure", Path(__file__).resolve().with_name("measure.py"))
lifeline = load_file("dltrends_lifeline",
                     Path(__file__).resolve().parents[2] / "dltrends" / "lifeline.py")
CPU_HEADROOM_S = 30  # imports and warm-up beside the case's own budget

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def load_adapter(path: str):
    return load_file(f"dltrends_adapter_{Path(path).stem}", Path(path))


def error_text(limit: int = 6) -> str:
    lines = traceback.format_exc().strip().splitlines()
    return "\n".join(lines[-limit:])


def time_import(module: str, request: dict) -> measure.Measurement:
    """Wall time of `python -c "import <module>"` in fresh processes (the first one warms the
    disk cache and is not counted)."""
    argv = [sys.executable, "-c", f"import {module}"]

    def once() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    return measure.run(once, budget_s=request["budget_s"], warmup_s=0.0,
                       min_repeats=min(request["min_repeats"], 5), max_repeats=20,
                       min_sample_s=0.0)


def run_case(adapter, case: dict, mode: str, request: dict) -> dict:
    out = {"type": "result", "key": case["key"], "mode": mode}
    started = time.perf_counter()
    try:
        if case["benchmark"] == "import_time":
            result = time_import(adapter.IMPORT, request)
        else:
            step = adapter.make(case, mode, request["device"])
            result = measure.run(step, budget_s=request["budget_s"], warmup_s=request["warmup_s"],
                                 min_repeats=request["min_repeats"],
                                 max_repeats=request["max_repeats"])
    except NotImplementedError as exc:
        return out | {"status": "unsupported", "error": str(exc) or "not supported by this adapter"}
    except Exception:
        return out | {"status": "error", "error": error_text()}
    return out | {"status": "ok", "samples": result.samples, "number": result.number,
                  "warmup_calls": result.warmup_calls,
                  "seconds": round(time.perf_counter() - started, 3)}


def cap_cpu(request: dict) -> None:
    """CPU time for the next case (or the import): its timeout on every thread, and some."""
    if request.get("case_timeout_s"):
        lifeline.cap_cpu(request["case_timeout_s"] * request["threads"] + CPU_HEADROOM_S,
                         hard=False)


def main() -> int:
    if len(sys.argv) > 1:
        lifeline.arm(int(sys.argv[1]))
    request = json.loads(sys.stdin.read())
    cap_cpu(request)
    try:
        adapter = load_adapter(request["adapter"])
        build = adapter.setup(request["threads"], request["device"])
    except Exception:
        emit({"type": "setup_failed", "error": error_text(8)})
        return 3
    build["python"] = platform.python_version()
    build["thread_env"] = {k: os.environ.get(k) for k in THREAD_VARIABLES}
    emit({"type": "setup", "build": build, "modes": list(adapter.MODES)})
    skip = set(request.get("skip", []))
    for case in request["cases"]:
        modes = ["-"] if case["benchmark"] == "import_time" else list(adapter.MODES)
        for mode in modes:
            if f"{case['key']}|{mode}" in skip:
                continue
            cap_cpu(request)
            emit({"type": "start", "key": case["key"], "mode": mode})
            emit(run_case(adapter, case, mode, request))
    return 0


if __name__ == "__main__":
    sys.exit(main())
